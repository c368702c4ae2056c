"""The prison register: one canonical name per establishment, and its characteristics."""

from __future__ import annotations

import pandas as pd
import pytest

from actionnlp.prisons import PrisonRegister, prison_key


@pytest.mark.parametrize(
    "printed",
    [
        "HMP Peterborough (Men)",
        "HMP/YOI Peterborough",
        "HMP & YOI Peterborough",
        "HMP and YOI Peterborough",
        "HM Prison Peterborough",
        "Peterborough",
        "PETERBOROUGH",
        "HMYOI Peterborough",
    ],
)
def test_variants_are_one_establishment(printed):
    info = PrisonRegister.default().lookup(printed)
    assert info is not None and info.code == "PB" and info.name == "HMP/YOI Peterborough"


def test_characteristics():
    r = PrisonRegister.default()
    stafford = r.lookup("HMP Stafford")
    assert (stafford.operator, stafford.operator_name, stafford.function) == (
        "public",
        "PSP",
        "Cat C Trainer",
    )
    assert r.lookup("Altcourse").operator == "contracted"
    assert r.lookup("HMP The Mount").code == "MT"  # estate list says "Mount, The"
    assert r.lookup("HMP Mount").function == "Cat C Trainer"
    assert r.lookup("HMP Prescoed").code == "UK"  # a part of a shared site
    assert r.lookup("HMP Canterbury") is None  # closed: not a current establishment


def test_unknown_prison_keeps_printed_name_and_a_flag():
    t = PrisonRegister.default().annotate(pd.DataFrame({"prison": ["HMP Nowhere", None]}))
    assert t.prison.tolist() == ["HMP Nowhere", None]
    assert t.prison_known.tolist() == [False, False]
    assert t.establishment_code.isna().all()


def test_key_ignores_designation_and_qualifiers():
    assert prison_key("HMP/YOI Low Newton (Women)") == prison_key("Low Newton")


def test_register_from_user_files(tmp_path):
    reg = tmp_path / "r.tsv"
    reg.write_text("prison-estate\tname\tstart-date\tend-date\nZZ\tHMP Newplace\t2030\t\n")
    est = tmp_path / "e.tsv"
    est.write_text(
        "name\tnoms_region\toperator\tpredominant_function\tdesignation\n"
        "Newplace\tNorth\tSerco\tLocal\tPrison\n"
    )
    info = PrisonRegister.from_files(reg, est).lookup("Newplace (Men)")
    assert (info.code, info.region, info.operator) == ("ZZ", "North", "contracted")


def test_plans_gain_establishment_columns_and_compare_by_operator(samples):
    plans = samples.plans.set_index("prison_printed")
    assert plans.loc["HMP Peterborough (Men)", "prison"] == "HMP/YOI Peterborough"
    assert plans.loc["HMP Peterborough (Men)", "operator"] == "contracted"
    assert plans.loc["HMP Stafford", "establishment_code"] == "SF"
    assert plans.prison_known.all()
    # every table names the prison the same way
    assert set(samples.concerns.prison) == set(samples.plans.prison)
    table = samples.compare(by="operator").set_index("operator")
    assert table.loc["contracted", "n_plans"] == 1 and table.loc["public", "n_plans"] == 3
