"""The exercise checks' machinery: results, messages, progress, and the stub convention."""

import pytest

import d2lnotes as d2l
from d2lnotes.exercise import Exercises, answer, call, fail


def make_section():
    ex = Exercises("9.9")

    @ex.check(1)
    def _square(square):
        """square(x) returns x squared."""
        if call(square, 3) != 9:
            fail("3 的平方应为 9。", "the square of 3 should be 9.")

    @ex.check(2)
    def _shape(shape):
        if tuple(answer(shape)) != (2, 3):
            fail("形状不对。", "the shape is not right.")

    ex.discussion(3)
    return ex


def stub(x):
    raise NotImplementedError  # 在这里写你的代码 · your code here


def test_result_states_and_messages():
    ex = make_section()
    assert ex.q1.result(stub).status == "not attempted"
    assert "Not attempted yet" in ex.q1.result(stub).message
    assert ex.q2.result(...).status == "not attempted"
    wrong = ex.q1.result(lambda x: x * 2)
    assert wrong.status == "wrong" and not wrong
    assert "the square of 3 should be 9." in wrong.message and "3 的平方应为 9。" in wrong.message
    assert ex.q1.result(lambda x: x ** 2) and ex.q2.result((2, 3)).status == "correct"


def test_a_crashing_answer_is_wrong_and_says_why():
    result = make_section().q1.result(lambda x: x.nope)
    assert result.status == "wrong" and "AttributeError" in result.message
    assert make_section().q1.result(42).status == "wrong"  # not a function


def test_check_prints_and_progress_counts_only_the_students_checks(capsys):
    ex = make_section()
    ex.q1.check(stub)
    ex.q2.assert_correct((2, 3))  # a worked solution: not the student's progress
    ex.progress()
    out = capsys.readouterr().out.splitlines()
    assert "Not attempted yet" in out[0]
    assert out[-1].endswith("checked correct: 0 of 2 exercises  [1· 2·]")
    ex.q1.check(lambda x: x * x)
    ex.progress()
    assert capsys.readouterr().out.splitlines()[-1].endswith("1 of 2 exercises  [1✓ 2·]")
    ex.q1.check(lambda x: x + x)  # a later wrong answer takes the tick away
    ex.progress()
    assert capsys.readouterr().out.splitlines()[-1].endswith("0 of 2 exercises  [1· 2·]")


def test_assert_correct_raises_with_the_message():
    with pytest.raises(AssertionError, match="should be 9"):
        make_section().q1.assert_correct(lambda x: 0)


def test_bad_lookups_say_what_exists():
    ex = make_section()
    with pytest.raises(LookupError, match="discussion question"):
        ex.q3.check(None)
    with pytest.raises(LookupError, match=r"checkable ones: \[1, 2\]"):
        ex[7].check(None)
    with pytest.raises(ValueError, match="twice"):
        ex.discussion(1)


def test_sections_are_found_by_number():
    with pytest.raises(ValueError, match="section number"):
        d2l.exercises(3.6)
    with pytest.raises(ValueError, match="no exercises"):
        d2l.exercises("9.9")
