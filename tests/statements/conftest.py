from tests.contributions.conftest import office

__all__ = ["office"]  # the same office: the rulebook seeded, staff for every stage, in English
