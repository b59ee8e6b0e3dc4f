"""method="auto" keeps the laws its other stages found as ``law.alternatives``, with the evidence against them."""

import json

import numpy as np
import pytest

from discovery import Law, discover
from discovery.law.file import LawFileError

# R's BOD (biochemical oxygen demand, mg/l, against days): six rows, where every stage of "auto" runs.
BOD_DAYS = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 7.0])
BOD_DEMAND = np.array([8.3, 10.3, 19.0, 16.0, 15.6, 19.8])


@pytest.fixture(scope="module")
def bod_law():
    return discover({"Time": BOD_DAYS}, BOD_DEMAND, random_state=0, time_limit=10)


def test_the_laws_other_stages_found_are_kept_with_why_they_lost(bod_law):
    law = bod_law
    assert law.alternatives, "on six rows the forms run after the basis search: their law is kept"
    # The basis search's law and the forms' are both on record, one chosen and one an alternative.
    assert {law.info["method"], *(a.info["method"] for a in law.alternatives)} >= {"basis", "forms"}
    own = law.info["bic_on_y"]
    for alternative in law.alternatives:
        assert alternative.formula != law.formula
        assert alternative.info["not_chosen"]
        # It lost: a higher BIC on y, or a tie lost to fewer fitted floats.
        assert alternative.info["bic_on_y"] > own - 2.0
        np.testing.assert_allclose(
            np.sqrt(np.mean((alternative.predict({"Time": BOD_DAYS}) - BOD_DEMAND) ** 2)), alternative.rmse, rtol=1e-6
        )
    bics = [a.info["bic_on_y"] for a in law.alternatives]
    assert bics == sorted(bics)


def test_the_evidence_lists_the_alternatives_against_the_chosen_law(bod_law):
    law = bod_law
    evidence = law.evidence()
    assert "not chosen" in evidence and f"{law.info['bic_on_y']:.1f}" in evidence
    for alternative in law.alternatives:
        assert alternative.formula in evidence
        assert f"({alternative.info['bic_on_y'] - law.info['bic_on_y']:+.1f})" in evidence
    assert evidence in law.summary()


def test_a_saved_law_reads_back_with_its_alternatives(bod_law, tmp_path):
    path = tmp_path / "bod.json"
    bod_law.save(path)
    back = Law.load(path)
    assert [a.formula for a in back.alternatives] == [a.formula for a in bod_law.alternatives]
    assert [a.info["not_chosen"] for a in back.alternatives] == [a.info["not_chosen"] for a in bod_law.alternatives]
    X = {"Time": np.linspace(1, 7, 13)}
    for a, b in zip(bod_law.alternatives, back.alternatives):
        np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_a_law_file_without_alternatives_reads_back_with_none(bod_law, tmp_path):
    data = bod_law.to_dict()
    del data["alternatives"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    assert Law.load(path).alternatives == []
    data["alternatives"] = "forms"
    path.write_text(json.dumps(data))
    with pytest.raises(LawFileError, match="'alternatives' must be a list of laws"):
        Law.load(path)


def test_a_law_that_fits_at_once_has_no_alternatives(rng):
    x = rng.uniform(1, 3, 200)
    law = discover({"x": x}, 2.5 * x**2, random_state=0)
    assert law.formula == "y = 5*x**2/2" and law.alternatives == []
