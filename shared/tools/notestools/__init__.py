"""notestools: the tools that run, test, export and measure the d2l-notes notebooks.

They live apart from ``d2lnotes`` (the helper a student imports) and are installed beside it
by ``make install``; ``python -m notestools --help`` lists the commands.
"""
