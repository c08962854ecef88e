"""Checks for the exercises of 2.2 Data preprocessing."""

import math

import numpy as np
import pandas as pd
import torch

from .core import Exercises, NotAttempted, call, fail, not_attempted

exercises = Exercises("2.2")


def _houses():
    """A raw table like the exercises': numbers, text and holes, no ties in missing counts."""
    return pd.DataFrame({
        "NumRooms": [np.nan, 2, 4, np.nan, 3, 5, 3, 2],
        "Alley": ["Pave", None, None, None, None, "Grvl", None, None],
        "Area": [120, 85, np.nan, 110, 95, 70, 100, 70],
        "RoofType": ["Slate", None, "Slate", "Tile", None, "Tile", "Slate", "Tile"],
        "Price": [127500, 106000, 178100, 140000, 125000, 210000, 131000, 98000],
    })


def _tables():
    """Two tables whose most-missing column sits at different positions."""
    first = _houses()
    second = pd.DataFrame({
        "a": [1.0, np.nan, np.nan, np.nan, 5.0],
        "b": ["x", "y", None, "x", "y"],
        "c": [np.nan, 2.0, 3.0, 4.0, 5.0],
        "d": [1, 2, 3, 4, 5],
    })
    return first, second


def _call_on_copy(function, df):
    """Call the student's function on a copy of df; returns (result, copy after the call)."""
    copy = df.copy()
    try:
        result = call(function, copy)
    except NotAttempted:
        if not_attempted(function) or copy.equals(df):
            raise
        fail("你的函数原地修改了传入的表并返回 None：请返回一个新表，不要改动原表。",
             "your function changed the table it was given in place and returned None: return "
             "a new table and leave the original as it was.")
    return result, copy


@exercises.check(1)
def _drop_most_missing(drop_most_missing):
    """drop_most_missing(df) returns df without the column that has the most missing values."""
    for df in _tables():
        result, copy = _call_on_copy(drop_most_missing, df)
        if not isinstance(result, pd.DataFrame):
            fail(f"你的函数应返回一个 DataFrame，而它返回了 {type(result).__name__}。",
                 f"your function should return a DataFrame, it returned {type(result).__name__}.")
        if not copy.equals(df):
            fail("你的函数修改了传入的表：请返回一个新表，不要改动原表。",
                 "your function changed the table it was given: return a new table and leave "
                 "the original as it was.")
        if len(result) != len(df):
            fail(f"结果有 {len(result)} 行而原表有 {len(df)} 行："
                 f"要删除的是一列，而不是含缺失值的行。",
                 f"the result has {len(result)} rows but the table has {len(df)}: drop a column, "
                 f"not the rows with missing values.")
        dropped = [c for c in df.columns if c not in result.columns]
        worst = df.isna().sum().idxmax()
        if len(dropped) != 1:
            fail(f"你删除了 {len(dropped)} 列（{dropped}）：只删除缺失值最多的那一列。",
                 f"you dropped {len(dropped)} columns ({dropped}): drop only the one with the "
                 f"most missing values.")
        if dropped != [worst]:
            fail(f"你删除了 {dropped[0]!r}，它有 {df[dropped[0]].isna().sum()} 个缺失值，"
                 f"但另有一列缺失得更多：按列统计缺失值的个数。",
                 f"you dropped {dropped[0]!r}, which has {df[dropped[0]].isna().sum()} missing "
                 f"values, but another column misses more: count the missing values per column.")
        if not result.equals(df.drop(columns=worst)):
            fail("其余各列的内容变了：删除那一列之外，不要改动表格。",
                 "the other columns changed: apart from dropping that column, leave the table "
                 "as it is.")


def _inputs():
    """The inputs of a raw table: two numeric columns and a text column, with holes."""
    return _houses()[["NumRooms", "Area", "RoofType"]]


@exercises.check(2)
def _to_tensor(to_tensor):
    """to_tensor(inputs) fills numeric gaps with the column mean, one-hot encodes the text
    column and returns a floating-point tensor without NaN, one row per example."""
    df = _inputs()
    result, copy = _call_on_copy(to_tensor, df)
    if not isinstance(result, torch.Tensor):
        fail(f"你的函数应返回一个 torch 张量，而它返回了 {type(result).__name__}。",
             f"your function should return a torch tensor, it returned {type(result).__name__}.")
    if not result.is_floating_point():
        fail(f"张量的类型是 {result.dtype}：模型需要浮点数。",
             f"the tensor has dtype {result.dtype}: models need floating-point numbers.")
    if result.ndim != 2 or result.shape[0] != len(df):
        fail(f"张量的形状是 {tuple(result.shape)}：每个样本（表中的每一行）应对应张量的一行。",
             f"the tensor has shape {tuple(result.shape)}: each example (row of the table) "
             f"should be one row of the tensor.")
    if torch.isnan(result).any():
        fail("张量里还有 NaN：先把数值列的缺失值填上。",
             "the tensor still contains NaN: fill the missing numbers first.")
    values = result.double()
    for name in ("NumRooms", "Area"):
        column = torch.tensor(df[name].to_numpy(dtype=float))
        known = ~torch.isnan(column)
        matches = [j for j in range(values.shape[1])
                   if torch.allclose(values[known, j], column[known], rtol=1e-5)]
        if not matches:
            fail(f"找不到数值列 {name!r} 的已知值：数值列应原样保留在张量中。",
                 f"the known values of the numeric column {name!r} are missing: numeric columns "
                 f"should reach the tensor unchanged.")
        mean = column[known].mean()
        if not any(torch.allclose(values[~known, j], mean.expand(int((~known).sum())), rtol=1e-5)
                   for j in matches):
            fail(f"{name!r} 的缺失值没有用该列的均值填补。",
                 f"the missing values of {name!r} are not filled with the column's mean.")
    numeric_columns = set()
    for name in ("NumRooms", "Area"):
        column = torch.tensor(df[name].to_numpy(dtype=float)).nan_to_num(float(df[name].mean()))
        numeric_columns.update(j for j in range(values.shape[1])
                               if torch.allclose(values[:, j], column, rtol=1e-5))
    categories = df["RoofType"].nunique()
    if values.shape[1] < 2 + categories:
        fail(f"张量只有 {values.shape[1]} 列：文本列 'RoofType' 的每个类别都应变成单独的一列"
             f"（独热编码）。",
             f"the tensor has only {values.shape[1]} columns: each category of the text column "
             f"'RoofType' should become a column of its own (one-hot encoding).")
    if values.shape[1] > 2 + categories + 1:
        fail(f"张量有 {values.shape[1]} 列，比两列数值加上各类别（含缺失）还多。",
             f"the tensor has {values.shape[1]} columns, more than the two numeric ones plus one "
             f"per category (missing included).")
    roof = df["RoofType"]
    indicators = {label: torch.tensor((roof == label).to_numpy(), dtype=torch.float64)
                  for label in roof.dropna().unique()}
    indicators[None] = torch.tensor(roof.isna().to_numpy(), dtype=torch.float64)
    encoded = [label for j in range(values.shape[1]) if j not in numeric_columns
               for label, indicator in indicators.items() if torch.equal(values[:, j], indicator)]
    others = values.shape[1] - len(numeric_columns)
    if len(encoded) != others or not set(indicators) - {None} <= set(encoded):
        fail("除两个数值列外，其余各列应是 'RoofType' 的独热编码："
             "每列只在某一个类别的行中为 1，其余为 0。",
             "apart from the two numeric columns, the columns should one-hot encode 'RoofType': "
             "each is 1 exactly in the rows of one category and 0 elsewhere.")


@exercises.check(3)
def _missing_and_numeric(missing_and_numeric):
    """missing_and_numeric(df) returns (fraction of rows with a missing value, fraction of
    columns that are numeric)."""
    for df in _tables():
        result, _ = _call_on_copy(missing_and_numeric, df)
        try:
            missing, numeric = (float(v) for v in result)
        except (TypeError, ValueError):
            fail("请返回两个数：(有缺失值的行所占比例, 数值列所占比例)。",
                 "return two numbers: (fraction of rows with a missing value, fraction of "
                 "numeric columns).")
        if not (0 <= missing <= 1 and 0 <= numeric <= 1):
            fail(f"你返回了 ({missing:g}, {numeric:g})：比例应在 0 和 1 之间，不是个数。",
                 f"you returned ({missing:g}, {numeric:g}): fractions lie between 0 and 1; "
                 f"these are not counts.")
        rows = df.isna().any(axis=1).mean()
        if not math.isclose(missing, rows, abs_tol=1e-9):
            if math.isclose(missing, df.isna().to_numpy().mean(), abs_tol=1e-9):
                fail("你算的是缺失的单元格所占比例：要算的是至少有一个缺失值的行所占比例。",
                     "you computed the fraction of missing entries: count the rows with at least "
                     "one missing value instead.")
            fail("有缺失值的行所占比例不对：一行只要有一个缺失值就算。",
                 "the fraction of rows with a missing value is off: a row counts once it has "
                 "any missing value.")
        numeric_share = sum(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns) / df.shape[1]
        if not math.isclose(numeric, numeric_share, abs_tol=1e-9):
            fail("数值列所占比例不对：看每一列的类型（dtype），而不是看它有没有缺失值。",
                 "the fraction of numeric columns is off: look at each column's dtype, not at "
                 "whether it has missing values.")


@exercises.check(4)
def _split_by_name(split_by_name):
    """split_by_name(df) returns (inputs, outputs): the NumRooms and Alley columns (in either
    order) and the Price column, selected by name wherever they sit in the table."""
    tiny = pd.DataFrame({"NumRooms": [np.nan, 2.0, 4.0, np.nan],
                         "Alley": ["Pave", None, None, None],
                         "Price": [127500, 106000, 178100, 140000]})
    for df in (tiny, tiny[["Price", "Alley", "NumRooms"]], tiny.assign(Extra=[1, 2, 3, 4])):
        result, _ = _call_on_copy(split_by_name, df)
        try:
            inputs, outputs = result
        except (TypeError, ValueError):
            fail("请返回两个值：(inputs, outputs)。", "return two values: (inputs, outputs).")
        if not isinstance(inputs, pd.DataFrame) or not isinstance(outputs, pd.Series):
            fail("inputs 应是一个 DataFrame（两列），outputs 应是一个 Series（一列）。",
                 "inputs should be a DataFrame (two columns) and outputs a Series (one column).")
        chosen = list(inputs.columns)
        if sorted(chosen) != ["Alley", "NumRooms"] or outputs.name != "Price":
            extra = [c for c in chosen if c not in ("NumRooms", "Alley", "Price")]
            if extra:
                fail(f"表中多了一列 {extra[0]!r} 时，你的 inputs 也把它带上了："
                     f"请按列名只选 NumRooms 和 Alley。",
                     f"with an extra column {extra[0]!r} in the table, your inputs include it too: "
                     f"select just NumRooms and Alley by name.")
            if df.columns[0] == "NumRooms":
                fail(f"你选出的是 {chosen} 和 {outputs.name!r}："
                     f"inputs 应是 NumRooms 和 Alley 两列，outputs 应是 Price。",
                     f"you selected {chosen} and {outputs.name!r}: inputs should be the columns "
                     f"NumRooms and Alley, outputs the column Price.")
            fail(f"列的顺序变了之后，你选出的是 {chosen} 和 {outputs.name!r}："
                 f"你的选择依赖列的位置，请按列名选择。",
                 f"with the columns in another order you selected {chosen} and "
                 f"{outputs.name!r}: your selection depends on positions; select by name.")
        if not (inputs[["NumRooms", "Alley"]].equals(df[["NumRooms", "Alley"]])
                and outputs.equals(df["Price"])):
            fail("选出的列的内容与表中的不同。",
                 "the selected columns do not hold the table's values.")


exercises.discussion(5, 6, 7)
