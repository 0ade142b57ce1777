"""The kinds of clocked item supervision watches, one package each (``clocked.py``
is the contract). Only these packages import the apps whose items they describe."""
