"""Shared helpers for the recipe tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tendril.boards import load_board

from ..conftest import ROOT

RECIPES = ROOT / "boards" / "recipes"
SHIPPED = sorted(RECIPES.glob("*.toml"))
PLANT = RECIPES / "plant-waterer.toml"


def board(name: str):
    return load_board(name)


def line_of(path: Path | str, needle: str) -> int:
    """1-based line of the first line containing ``needle``: tests name lines by content, not number."""
    text = Path(path).read_text(encoding="utf-8") if isinstance(path, Path) else path
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    pytest.fail(f"{needle!r} not in the text")


def cli_run(*args: str, input: str | None = None):
    """`tendril ARGS` through click's runner: .output has stdout and stderr, .stderr stderr alone."""
    from click.testing import CliRunner
    from tendril.cli import cli
    return CliRunner().invoke(cli, list(args), input=input)


def git(*args, cwd=None) -> str:
    """A real `git` for building catalogs in tmp, with an identity of its own."""
    import subprocess
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(cwd or "."),
           "PATH": __import__("os").environ["PATH"]}
    return subprocess.run(["git", *map(str, args)], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def git_catalog(tmp_path):
    """A bare git repository holding a catalog of the given files, indexed: make(files) -> its file:// URL."""
    import shutil
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def make(files: dict[str, str], name: str = "catalog") -> tuple[str, Path]:
        work, bare = tmp_path / f"{name}-work", tmp_path / f"{name}.git"
        git("init", "-q", "--bare", bare)
        git("clone", "-q", bare, work)
        for rel, text in files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text)
        assert cli_run("recipe", "index", str(work)).exit_code == 0
        git("add", ".", cwd=work)
        git("commit", "-qm", "catalog", cwd=work)
        git("push", "-q", "origin", "HEAD", cwd=work)
        return f"file://{bare}", work

    return make


@pytest.fixture
def http_root(tmp_path):
    """A real HTTP server on 127.0.0.1 serving a tmp folder: yields (folder, base URL)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        """A client that hangs up mid-body (tendril refusing an oversize download) is expected;
        any other error in a request is kept and fails the test instead of being printed into
        the output of the command under test."""

        errors: list[BaseException] = []

        def handle_error(self, request, client_address) -> None:
            import sys

            error = sys.exc_info()[1]
            if not isinstance(error, ConnectionError):
                self.errors.append(error)

    root = tmp_path / "www"
    root.mkdir()
    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert not server.errors, f"the test HTTP server failed a request: {server.errors[0]!r}"
