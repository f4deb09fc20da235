"""Keys from FRAUDKIT_API_KEYS_FILE (the EC2 rotation path): a served app (a real gunicorn) picks up a rewritten
file without a restart, accepts old and new keys while the file lists both, keeps the last good keys when the file
turns bad (logging why, never a value), and never serves open on a file that names no key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from served import Served, request

from fraudkit.serving.auth import KeyFile

OLD = "scoring-old-0123456789abcdefghijklmnopqrstuv"
NEW = "scoring-new-0123456789abcdefghijklmnopqrstuv"
LABELLING = "labelling-0123456789abcdefghijklmnopqrstuvwx"
LABELLING_NEW = "labelling-new-0123456789abcdefghijklmnopqrst"


def _write(path: Path, scoring: str, labelling: str = LABELLING) -> None:
    """Replaces the file the way the EC2 refresh script does: a new file renamed over the old one."""
    staged = path.with_suffix(".tmp")
    staged.write_text(
        f"FRAUDKIT_SCORING_KEYS={scoring}\nFRAUDKIT_LABELLING_KEYS={labelling}\nFRAUDKIT_REQUIRE_KEYS=1\n"
    )
    os.replace(staged, path)


def _status(server: Served, key: str, path: str = "/model-info") -> int:
    return request(server.port, "GET", path, headers={"Authorization": f"Bearer {key}"})[0]


@pytest.mark.gunicorn
def test_a_served_app_follows_a_rotation_of_its_key_file_without_restart(tmp_path: Path) -> None:
    keys = tmp_path / "api-keys.env"
    _write(keys, OLD)
    with Served({"FRAUDKIT_API_KEYS_FILE": str(keys)}) as server:
        assert server.wait_listening()[-1] == 200
        assert (_status(server, OLD), _status(server, NEW)) == (200, 401)

        _write(keys, f"{NEW},{OLD}", f"{LABELLING_NEW},{LABELLING}")  # rollout: both accepted
        assert (_status(server, OLD), _status(server, NEW)) == (200, 200)
        feedback = json.dumps({"transactions": []}).encode()
        for key in (LABELLING, LABELLING_NEW):
            answer = request(server.port, "POST", "/feedback", feedback, {"Authorization": f"Bearer {key}"})[0]
            assert answer not in (401, 403), "both labelling keys are accepted during the rollout"

        _write(keys, NEW, LABELLING_NEW)  # old key dropped
        assert (_status(server, OLD), _status(server, NEW)) == (401, 200)

        keys.write_text("FRAUDKIT_SCORING_KEYS\n")  # bad content, in place
        assert _status(server, NEW) == 200, "the last good keys stay in force"
        assert _status(server, OLD) == 401
        assert request(server.port, "GET", "/health")[0] == 200

        _write(keys, OLD)  # and a good file after the bad one is taken again
        assert (_status(server, OLD), _status(server, NEW)) == (200, 401)
    assert server.log.count("Booting worker") == 1, "the keys changed without a worker restart"
    assert "line 1 of" in server.log and "the keys read before stay in force" in server.log
    for key in (OLD, NEW, LABELLING, LABELLING_NEW):
        assert key not in server.log, "a key reached the log"


@pytest.mark.gunicorn
def test_a_missing_key_file_fails_closed_until_it_appears(tmp_path: Path) -> None:
    keys = tmp_path / "api-keys.env"
    with Served({"FRAUDKIT_API_KEYS_FILE": str(keys)}) as server:
        statuses = server.wait_listening(timeout=3)
        assert statuses and set(statuses) == {503}
        status, _, body = request(server.port, "GET", "/health")
        assert status == 503 and "FRAUDKIT_API_KEYS_FILE: cannot read" in json.loads(body)["error"]
        assert _status(server, OLD) == 503
        _write(keys, OLD)
        assert request(server.port, "GET", "/health")[0] == 200
        assert _status(server, OLD) == 200


@pytest.mark.parametrize(
    "content, problem",
    [
        ("", "FRAUDKIT_SCORING_KEYS is not set"),
        ("# no keys yet\n", "FRAUDKIT_LABELLING_KEYS is not set"),
        (f"FRAUDKIT_SCORING_KEYS=short\nFRAUDKIT_LABELLING_KEYS={LABELLING}\n", "key 1 is shorter than 32"),
        (f"FRAUDKIT_SCORING_KEYS={OLD}\nFRAUDKIT_LABELLING_KEYS={OLD}\n", "share a key"),
        (f"FRAUDKIT_SCORING_KEYS={OLD}\n{LABELLING}\n", "line 2 of"),
    ],
)
def test_a_first_bad_file_is_a_configuration_problem_never_auth_off(
    tmp_path: Path, content: str, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "keys.env"
    path.write_text(content)
    key_file = KeyFile(str(path))
    assert any(problem in text for text in key_file.problems), key_file.problems
    assert not key_file.ring.enabled
    assert OLD not in " ".join(key_file.problems) and LABELLING not in " ".join(key_file.problems)


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.env"
    _write(path, OLD)
    key_file = KeyFile(str(path))
    reads = []
    original = KeyFile._read
    monkeypatch.setattr(KeyFile, "_read", lambda self: reads.append(1) or original(self))
    for _ in range(5):
        key_file.refresh()
    assert reads == []
    _write(path, NEW)
    key_file.refresh()
    assert reads == [1] and key_file.ring.identify(f"Bearer {NEW}") is not None
