"""The batch output's byte budget: texts cut on their escaped JSON size, with a visible marker."""

from __future__ import annotations

import pytest

from rft_runtime.promotion import output_budget as ob
from rft_runtime.promotion.batch import SIDES
from rft_runtime.promotion.errors import EvaluationError


def test_a_short_text_is_kept_as_it_is():
    assert ob.cut_text("the answer is 4", 100) == "the answer is 4"


def test_the_character_limit_cuts_and_says_so():
    cut = ob.cut_text("x" * 2500, 10_000)
    assert cut == "x" * ob.KEPT_TEXT_CHARS + " [cut: 2000 of 2500 characters kept]"


@pytest.mark.parametrize("character", ["a", '"', "\\", "\n", "\x01", "é", "答", "😀"])
def test_the_budget_holds_on_the_escaped_json_whatever_the_characters(character):
    text = character * 500
    cut = ob.cut_text(text, 300)
    assert ob.escaped_size(cut) - 2 <= 300 < ob.escaped_size(text) - 2
    kept = int(cut.rsplit("[cut: ", 1)[1].split(" ")[0])
    assert cut.startswith(character * kept) and kept > 0


def _output(prompt_id: str, text: str) -> dict:
    side = {"scores": [1.0], "errors": {}, "responses": [text]}
    entry = {"id": prompt_id, "prompt": text, "reference": text, **{s: dict(side) for s in SIDES}}
    return {"prompts": [entry], "tokens": {"inputTokens": 1, "outputTokens": 1}}


def test_an_output_within_budget_is_unchanged_and_ids_and_scores_are_never_cut():
    out = ob.fit_texts(_output("p1", "short"), SIDES)
    assert out == _output("p1", "short")
    big = ob.fit_texts(_output("p" * 1000, "😀" * 2000), SIDES)
    assert big["prompts"][0]["id"] == "p" * 1000 and big["prompts"][0]["candidate"]["scores"] == [1.0]
    assert ob.escaped_size(big) <= ob.STATE_PAYLOAD_LIMIT_BYTES - ob.MARGIN_BYTES


def test_ids_too_long_to_leave_room_for_any_text_fail_the_batch_clearly():
    with pytest.raises(EvaluationError, match=r"already \d+ bytes .* shorten the prompt ids"):
        ob.fit_texts(_output("p" * ob.STATE_PAYLOAD_LIMIT_BYTES, "x"), SIDES)
