"""Profile files: the shipped ones load and are consistent; a broken one is refused naming the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bordermark.cases.profiles import PROFILE_DIR, ProfileError, get_profile, load_profile_file, profiles


def test_shipped_profiles_load_and_mark_unconfirmed_values() -> None:
    assert set(profiles()) == {"cn-ex-officio", "cn-on-application", "us-cbp", "eu-608"}
    for path in PROFILE_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem != "cn-on-application":
            assert "[U] unconfirmed" in text, path
    cn = get_profile("cn-ex-officio")
    assert cn.deadlines["holder_reply"].count == 3 and cn.deadlines["investigation"].count == 30
    assert get_profile("cn-on-application").deadlines["release_without_court_notice"].count == 20


def test_every_deadline_with_an_expiry_names_a_system_event() -> None:
    for p in profiles().values():
        for name, d in p.deadlines.items():
            if d.on_expiry:
                assert p.events[d.on_expiry].source == "system", (p.id, name)


def test_broken_profile_is_refused_with_file_and_field(tmp_path: Path) -> None:
    text = (PROFILE_DIR / "cn-on-application.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("count: 20", "count: twenty"), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"bad.yaml: field deadlines.release_without_court_notice.count"):
        load_profile_file(bad)
    bad.write_text(text.replace("to: court\n", "to: nowhere\n", 1), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"unknown state 'nowhere'"):
        load_profile_file(bad)
    with pytest.raises(ProfileError, match="unknown profile"):
        get_profile("xx")
