"""Event shapes: a bare list, ``{"trajectories": [...]}`` (AWS's open-weight samples) and the other
wrappers all give one result per item found, in order, with the item's id echoed."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.rewards.handler import make_handler
from rft_runtime.rewards.payload import WRAPPER_KEYS


def _item(index: int, answer: int, where: str) -> dict:
    item = {
        "id": f"traj-{index}",
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": f"#### {answer}"}],
    }
    if where == "metadata":
        item["metadata"] = {"reference_answer": "7"}
    else:
        item["reference_answer"] = {"text": "work\n#### 7"}
    return item


junk = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2))
items = st.lists(
    st.one_of(
        st.tuples(st.integers(0, 9), st.sampled_from(["metadata", "top"])).map(lambda t: ("item", t)),
        junk.map(lambda j: ("junk", j)),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(specs=items, shape=st.sampled_from(["list", "json-list", *WRAPPER_KEYS, "json-trajectories"]))
def test_results_echo_exactly_the_items_found_in_order_one_each(specs, shape):
    built = []
    for index, (kind, spec) in enumerate(specs):
        built.append(_item(index, *spec) if kind == "item" else spec)
    if shape == "list":
        event: object = built
    elif shape == "json-list":
        event = json.dumps(built)
    elif shape == "json-trajectories":
        event = json.dumps({"trajectories": built})
    else:
        event = {shape: built}
    out = make_handler("math_answer", {}, emit=lambda _: None)(event, None)
    assert [r["id"] for r in out] == [x["id"] if isinstance(x, dict) else "" for x in built]
    for spec, result in zip(specs, out, strict=True):
        kind, detail = spec
        want = 1.0 if kind == "item" and detail[0] == 7 else 0.0
        assert result["aggregate_reward_score"] == want


def test_open_weight_trajectories_event_is_graded_not_treated_as_one_item():
    event = {"trajectories": [_item(0, 7, "top"), _item(1, 8, "top")]}
    out = make_handler("math_answer", {}, emit=lambda _: None)(event, None)
    assert [(r["id"], r["aggregate_reward_score"]) for r in out] == [("traj-0", 1.0), ("traj-1", 0.0)]


def test_a_single_item_with_messages_is_one_sample_even_with_a_trajectories_key():
    item = {**_item(0, 7, "metadata"), "trajectories": []}
    out = make_handler("math_answer", {}, emit=lambda _: None)(item, None)
    assert [(r["id"], r["aggregate_reward_score"]) for r in out] == [("traj-0", 1.0)]
