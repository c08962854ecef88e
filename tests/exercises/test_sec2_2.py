"""The checks of 2.2's exercises: the stub, typical wrong answers and a correct one."""

import pandas as pd
import pytest
import torch

import d2lnotes as d2l

ex = d2l.exercises("2.2")


def stub(df):
    raise NotImplementedError  # 在这里写你的代码 · your code here


def test_q1_drop_most_missing():
    assert ex.q1.result(stub).status == "not attempted"
    fewest = ex.q1.result(lambda df: df.drop(columns=df.isna().sum().idxmin()))
    assert fewest.status == "wrong" and "another column misses more" in fewest.message
    rows = ex.q1.result(lambda df: df.dropna())
    assert rows.status == "wrong" and "drop a column, not the rows" in rows.message
    every = ex.q1.result(lambda df: df.dropna(axis=1))
    assert every.status == "wrong" and "drop only the one with the most" in every.message

    def in_place(df):
        del df[df.isna().sum().idxmax()]

    changed = ex.q1.result(in_place)
    assert changed.status == "wrong" and "in place and returned None" in changed.message

    def by_count(df):  # correct, written differently: the column with the fewest known values
        known = df.notna().sum()
        return df[[c for c in df.columns if c != known.sort_values().index[0]]]

    assert ex.q1.result(by_count).status == "correct"


def test_q2_to_tensor():
    assert ex.q2.result(stub).status == "not attempted"

    def no_imputation(df):
        return torch.tensor(pd.get_dummies(df, dummy_na=True, dtype=float).to_numpy(dtype=float))

    nan = ex.q2.result(no_imputation)
    assert nan.status == "wrong" and "still contains NaN" in nan.message

    def text_dropped(df):
        df = df.select_dtypes("number")
        return torch.tensor(df.fillna(df.mean()).to_numpy(dtype=float))

    text = ex.q2.result(text_dropped)
    assert text.status == "wrong" and "one-hot encoding" in text.message

    def zeros_filled(df):
        df = pd.get_dummies(df.fillna({"NumRooms": 0, "Area": 0}), dummy_na=True, dtype=float)
        return torch.tensor(df.to_numpy(dtype=float))

    zeros = ex.q2.result(zeros_filled)
    assert zeros.status == "wrong" and "not filled with the column's mean" in zeros.message
    as_frame = ex.q2.result(lambda df: pd.get_dummies(df.fillna(df.mean(numeric_only=True))))
    assert as_frame.status == "wrong" and "torch tensor" in as_frame.message

    def roof_by_area(df):  # the right number of columns, but not an encoding of RoofType
        df = df.fillna(df.mean(numeric_only=True))
        bins = pd.cut(df["Area"], 3, labels=["small", "medium", "large"])
        dummies = pd.get_dummies(bins, dtype=float)
        return torch.tensor(pd.concat([df[["NumRooms", "Area"]], dummies], axis=1)
                            .to_numpy(dtype=float))

    other = ex.q2.result(roof_by_area)
    assert other.status == "wrong" and "one-hot encode 'RoofType'" in other.message

    def column_by_column(df):  # correct, written differently: without dummy_na, float64
        parts = []
        for name in df.columns:
            if pd.api.types.is_numeric_dtype(df[name]):
                parts.append(torch.tensor(df[name].fillna(df[name].mean()).to_numpy())[:, None])
            else:
                parts.append(torch.tensor(pd.get_dummies(df[name], dtype=float).to_numpy()))
        return torch.cat(parts, dim=1)

    ok = ex.q2.result(column_by_column)
    assert ok.status == "correct", ok.message


def test_q3_missing_and_numeric():
    assert ex.q3.result(stub).status == "not attempted"
    entries = ex.q3.result(lambda df: (df.isna().to_numpy().mean(),
                                       len(df.select_dtypes("number").columns) / df.shape[1]))
    assert entries.status == "wrong" and "fraction of missing entries" in entries.message
    counts = ex.q3.result(lambda df: (int(df.isna().any(axis=1).sum()),
                                      len(df.select_dtypes("number").columns)))
    assert counts.status == "wrong" and "not counts" in counts.message
    complete = ex.q3.result(lambda df: (df.isna().any(axis=1).mean(),
                                        df.notna().all().mean()))
    assert complete.status == "wrong" and "look at each column's dtype" in complete.message

    def other_way(df):  # correct, written differently
        kept = df.dropna()
        numeric = df.select_dtypes(include="number").shape[1]
        return 1 - len(kept) / len(df), numeric / len(df.columns)

    assert ex.q3.result(other_way).status == "correct"


def test_q4_split_by_name():
    assert ex.q4.result(stub).status == "not attempted"
    positions = ex.q4.result(lambda df: (df.iloc[:, 0:2], df.iloc[:, 2]))
    assert positions.status == "wrong" and "depends on positions" in positions.message
    one = ex.q4.result(lambda df: (df[["NumRooms", "Alley"]], df[["Price"]]))
    assert one.status == "wrong" and "outputs a Series" in one.message
    rest = ex.q4.result(lambda df: (df.drop(columns="Price"), df["Price"]))
    assert rest.status == "wrong" and "extra column 'Extra'" in rest.message
    ok = ex.q4.result(lambda df: (df.drop(columns=[c for c in df if c not in ("NumRooms", "Alley")])
                                  [["NumRooms", "Alley"]], df.Price))
    assert ok.status == "correct", ok.message
    # the two input columns in the other order are selected by name too
    swapped = ex.q4.result(lambda df: (df.loc[:, ["Alley", "NumRooms"]], df.loc[:, "Price"]))
    assert swapped.status == "correct", swapped.message


@pytest.mark.parametrize("number", [5, 6, 7])
def test_discussion_questions_have_no_check(number):
    ex = d2l.exercises("2.2")
    assert number in ex.discussions
    with pytest.raises(LookupError, match="discussion"):
        ex[number]
