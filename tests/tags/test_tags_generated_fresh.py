"""The dbt seed tag_catalogue.csv and model fct_person_tag_current.sql are generated from tags/**.yaml: never stale."""

from shequyun.tags.render import render_all


def test_generated_tag_files_match_the_catalogue() -> None:
    for path, text in render_all().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `python -m shequyun.tags`"
