{#- What the configured systems (source_systems(): this deployment's connector YAMLs) stage, for the models that read a
    staging model or column that not every deployment has. A model that is one department's ledger is enabled only when
    that department's staging model is configured; a shared model reads the department's part only then and otherwise
    an empty relation of the same columns, so a deployment without the system still builds. -#}


{#- True when a configured system stages into the model `name` (e.g. stg_civil_affairs__elderly_allowances).
    Usable in config(enabled=...): it is evaluated at parse time from the generated registry. -#}
{% macro model_configured(name) -%}
{%- for system, spec in source_systems().items() -%}
    {%- if spec.model == name -%}{{ return(true) }}{%- endif -%}
{%- endfor -%}
{{ return(false) }}
{%- endmacro %}


{#- The staging column `column` of the system `spec` when it stages one (a field or a derived column), else a typed
    null: for the models that read a canonical column some systems do not deliver. -#}
{% macro staged_or_null(spec, column, type, qualifier=none) -%}
{%- set names = (spec.get('fields', []) | map(attribute='name') | list) + (spec.get('derived', []) | map(attribute='name') | list) -%}
{%- if column in names -%}
{{ qualifier ~ '.' if qualifier }}{{ column }}
{%- else -%}
cast(null as {{ type }})
{%- endif -%}
{%- endmacro %}


{#- A relation with no rows and the columns [[name, type], ...]: the stand-in of a part no configured system delivers.
    A select statement. -#}
{% macro empty_relation(columns) -%}
    select
        {%- for pair in columns %}
        cast(null as {{ pair[1] }}) as {{ pair[0] }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}
