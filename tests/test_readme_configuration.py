"""README.md's configuration table is the documented list of settings: it must name every
variable ``casework.config`` reads, with the same default."""

import re
from pathlib import Path

from casework.config import VARIABLES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
ROWS = dict(re.findall(r"^\| `(CASEWORK_[A-Z_<>]+)` \| ([^|]*) \|", README, re.MULTILINE))


def test_every_setting_is_documented_with_its_default():
    assert set(ROWS) == set(VARIABLES)
    for name, (default, _) in VARIABLES.items():
        documented = ROWS[name].strip()
        assert documented == (f"`{default}`" if default else documented), (name, documented)
