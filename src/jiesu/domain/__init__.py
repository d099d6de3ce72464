"""The pure domain core: ticket lifecycle, deadlines, roles, errors.

Nothing in this package imports a web framework or a database library; every
rule here is a function of its inputs, with the clock passed in.
"""
