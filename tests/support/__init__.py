"""Helpers that tests in several folders share (a test folder imports from here or from
tests/conftest.py, never from another test folder): the simulated boards as tests drive them, the
AVR build, the scenario runner of the rule vectors, the images the tests push."""
