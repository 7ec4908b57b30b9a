"""A directory walk leaves out what git ignores (config/ignored.py), as git itself decides it.

Git's rules (git-scm.com/docs/gitignore): a pattern applies relative to the folder of its
.gitignore, a pattern ending in ``/`` names folders only, ``!`` re-includes, and a deeper
.gitignore's verdict wins over a shallower one. A file named on the command line is read anyway.
"""

from __future__ import annotations

from pathlib import Path

from istio_notebook.config.loader import iter_input_files, load_paths

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{name: http, port: 80}]\n"


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _walked(top: Path, base: Path) -> list[str]:
    return [p.relative_to(base).as_posix() for p in iter_input_files(top)]


def test_the_walk_follows_the_repositorys_gitignore_files(tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {
        ".gitignore": "docs/assets/generated/\n*.lock.json\n",
        "docs/page.md": "# page\n",
        "docs/mesh.yaml": SERVICE,
        "docs/assets/generated/session.json": "{}",
        "docs/assets/pinned.lock.json": "{}",
        "docs/assets/sub/.gitignore": "!kept.lock.json\nlocal.yaml\n",
        "docs/assets/sub/kept.lock.json": "{}",
        "docs/assets/sub/local.yaml": SERVICE,
        "generated/mesh.yaml": SERVICE,  # "docs/assets/generated/" is anchored: this one is not ignored
    })
    assert _walked(tmp_path / "docs", tmp_path) == ["docs/mesh.yaml", "docs/page.md", "docs/assets/sub/kept.lock.json"]
    assert "generated/mesh.yaml" in _walked(tmp_path, tmp_path)


def test_outside_a_repository_only_the_walked_trees_own_gitignore_files_apply(tmp_path) -> None:
    _tree(tmp_path, {".gitignore": "*.yaml\n", "top/.gitignore": "skip/\n", "top/a.yaml": SERVICE, "top/skip/b.yaml": SERVICE})
    assert _walked(tmp_path / "top", tmp_path) == ["top/a.yaml"]  # the .gitignore above, without a .git, is no rule


def test_an_ignored_file_named_on_the_command_line_is_read(tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {".gitignore": "mesh.yaml\n", "mesh.yaml": SERVICE})
    assert load_paths([tmp_path]).resources == []
    assert [r.name for r in load_paths([tmp_path / "mesh.yaml"]).resources] == ["a"]


def test_lines_git_cannot_use_are_skipped_and_the_rest_still_apply(tmp_path) -> None:
    # `!` alone, a trailing backslash and a reversed range made pathspec raise (a traceback from
    # `check DIR`); git skips such lines. The other lines of the same file keep their effect.
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {".gitignore": "!\n\\\n[z-a]\ngen/\n", "gen/a.yaml": SERVICE, "b.yaml": SERVICE, "[z-a]": ""})
    assert _walked(tmp_path, tmp_path) == ["b.yaml"]


def test_check_of_a_folder_with_a_broken_gitignore_answers(tmp_path, capsys) -> None:
    from istio_notebook.cli import main

    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {".gitignore": "!\n[z-a]\n", "b.yaml": SERVICE})
    assert main(["check", str(tmp_path)]) == 0
    assert "Traceback" not in capsys.readouterr().err
