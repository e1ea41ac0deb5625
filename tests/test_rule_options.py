"""The per-rule OPTIONS contract: a plain class (or a frozen dataclass) of `option()` fields."""

from dataclasses import dataclass

import pytest

from gwlint.engine.options import describe, instance, option, problems


class Options:
    budget: int | None = option(None, "memory all pools may use")
    strict: bool = option(False, "also report guesses")


def test_a_plain_class_is_filled_from_the_configured_values_and_the_defaults():
    made = instance(Options, {"budget": 2048})
    assert (made.budget, made.strict) == (2048, False)
    assert isinstance(made, Options) and problems(Options) == []
    with pytest.raises(TypeError, match="unknown option 'budgte'"):
        instance(Options, {"budgte": 1})


def test_a_frozen_dataclass_declared_with_option_still_works():
    @dataclass(frozen=True)
    class Frozen:
        maximum: int = option(100, "largest size allowed")

    assert problems(Frozen) == []
    assert instance(Frozen, {}).maximum == 100 and instance(Frozen, {"maximum": 5}).maximum == 5


def test_fields_without_option_or_with_a_long_doc_break_the_contract():
    class Bare:
        budget: int | None = None
        strict: bool = option(False, "two\nlines")

    assert problems(Bare) == ["option budget has no default (use option(default, doc))",
                              "option strict has no one-line doc (use option(default, doc))"]
    with pytest.raises(TypeError, match="immutable"):
        option([], "a list")


def test_describe_lists_each_option_with_type_default_and_doc():
    text = describe(Options, "fpm-memory-over-budget")
    assert "- `budget` (int, default unset): memory all pools may use" in text
    assert "- `strict` (bool, default false): also report guesses" in text
