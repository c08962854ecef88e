"""Checks for exercises: run on the student's answer, they say in both languages whether it is
right, what is wrong, or that it was not attempted yet. They never reveal the solution.

A section's module registers its checks on an ``Exercises`` object::

    exercises = Exercises("3.6")

    @exercises.check(1)
    def _softmax_large_logits(softmax):
        out = call(softmax, torch.tensor([[100.0, 101.0, 102.0]]))
        if torch.isnan(out).any():
            fail("……先减去每行的最大值。", "... subtract the row maximum first.")

    exercises.discussion(2)   # a why/what-if question: hint and solution, no check
"""

from dataclasses import dataclass

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "wrong", "not attempted"


class NotAttempted(Exception):
    """The answer is still the stub: ``...``, None, or a function raising NotImplementedError."""


class Wrong(Exception):
    """The answer is wrong; the message (Chinese, then English) says what is wrong."""

    def __init__(self, zh, en):
        super().__init__(f"{zh} {en}")
        self.zh, self.en = zh, en


def fail(zh, en):
    """Reject the answer with a one-sentence message in both languages."""
    raise Wrong(zh, en)


def not_attempted(value):
    """True for what a stub leaves behind: ``...`` (Ellipsis) or None."""
    return value is ... or value is None


def answer(value):
    """``value``, or NotAttempted if it is still the stub's ``...`` / None."""
    if not_attempted(value):
        raise NotAttempted
    return value


def call(function, *args, **kwargs):
    """Call the student's function; a stub (raising NotImplementedError, or returning ``...``
    or None) counts as not attempted, and any other error is a wrong answer that says which."""
    if not_attempted(function):
        raise NotAttempted
    if not callable(function):
        fail(f"这里需要一个函数，而你给出的是 {type(function).__name__}。",
             f"a function is expected here, got {type(function).__name__}.")
    try:
        value = function(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted from None
    except Exception as err:  # the student's code failed: say how, as a wrong answer
        fail(f"调用你的函数时出错：{type(err).__name__}: {err}",
             f"calling your function raised {type(err).__name__}: {err}")
    if not_attempted(value):
        raise NotAttempted
    return value


@dataclass(frozen=True)
class Result:
    """What a check found: ``status`` is "correct", "wrong" or "not attempted"."""

    exercise: int
    status: str
    message: str

    def __bool__(self):
        return self.status == CORRECT

    def __str__(self):
        return self.message

    def _repr_pretty_(self, printer, cycle):  # IPython shows the message, not the dataclass
        printer.text(self.message)


class Question:
    """One checkable exercise: ``check`` (for the student), ``assert_correct`` (for the worked
    solution: raises if it were wrong, and does not count as the student's progress)."""

    def __init__(self, section, number, function):
        self.section, self.number, self.function = section, number, function
        self.__doc__ = function.__doc__

    def result(self, *args, **kwargs):
        """Run the check and return its Result; prints nothing and records nothing."""
        label = f"练习 {self.number} · Exercise {self.number}"
        try:
            self.function(*args, **kwargs)
        except NotAttempted:
            return Result(self.number, NOT_ATTEMPTED,
                          f"{label}：还没有作答，把 ... 或 raise NotImplementedError 换成你的答案。"
                          f" Not attempted yet: replace the ... or the raise NotImplementedError "
                          f"with your answer.")
        except Wrong as err:
            return Result(self.number, WRONG, f"{label}：还不对。{err.zh} Not yet: {err.en}")
        return Result(self.number, CORRECT, f"{label}：正确！ Correct!")

    def check(self, *args, **kwargs):
        """Check the student's answer, print what was found and remember it for progress()."""
        result = self.result(*args, **kwargs)
        self.section._checked[self.number] = result.status
        print(result.message)

    def assert_correct(self, *args, **kwargs):
        """For a worked solution: AssertionError with the check's message unless correct."""
        result = self.result(*args, **kwargs)
        assert result.status == CORRECT, result.message


class Exercises:
    """The exercises of one section: ``q1``, ``q2``… for the checkable ones, and ``progress()``."""

    def __init__(self, section):
        self.section = section
        self.questions = {}        # number -> Question
        self.discussions = set()   # numbers of why/what-if exercises, which have no check
        self._checked = {}         # number -> status of this kernel's last check

    def check(self, number):
        """Decorator: register ``function(answer...)`` as the check of exercise ``number``."""
        def register(function):
            self._new(number)
            self.questions[number] = Question(self, number, function)
            return function
        return register

    def discussion(self, *numbers):
        """Mark exercises that are discussed, not checked (hint and solution only)."""
        for number in numbers:
            self._new(number)
            self.discussions.add(number)

    def _new(self, number):
        if not isinstance(number, int) or number < 1:
            raise ValueError(f"exercise numbers are positive integers, got {number!r}")
        if number in self.questions or number in self.discussions:
            raise ValueError(f"exercise {number} of {self.section} is registered twice")

    def __getattr__(self, name):
        if name.startswith("q") and name[1:].isdigit():
            return self[int(name[1:])]
        raise AttributeError(name)

    def __getitem__(self, number):
        if number in self.questions:
            return self.questions[number]
        if number in self.discussions:
            raise LookupError(f"exercise {number} of {self.section} is a discussion question: "
                              f"it has a hint and a solution, but nothing to check")
        raise LookupError(f"{self.section} has no exercise {number}; checkable ones: "
                          f"{sorted(self.questions)}")

    def progress(self):
        """One line: which checkable exercises this kernel has checked as correct."""
        numbers = sorted(self.questions)
        done = [n for n in numbers if self._checked.get(n) == CORRECT]
        marks = " ".join(f"{n}{'✓' if n in done else '·'}" for n in numbers)
        line = (f"{self.section} 已检查正确 {len(done)}/{len(numbers)} 道练习 · "
                f"checked correct: {len(done)} of {len(numbers)} exercises  [{marks}]")
        print(line)

    def __repr__(self):
        return (f"<exercises of {self.section}: checkable {sorted(self.questions)}, "
                f"discussion {sorted(self.discussions)}>")
