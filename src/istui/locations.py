"""Every path istui touches, in one place: the user's config and data folders, and the names inside a
workspace (shared files, and the local-only `.istui/` folder). Nothing else spells a folder name.

Standard library only: the git merge driver and the CLI's quick path import it.
"""

from __future__ import annotations

import os
from pathlib import Path

# --- per user ----------------------------------------------------------------------------------


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/istui` (default `~/.config/istui`): the user config and the user's themes."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "istui"


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def data_dir() -> Path:
    """`$XDG_DATA_HOME/istui` (default `~/.local/share/istui`): where the default workspaces live."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "istui"


def default_workspace() -> Path:
    return data_dir() / "workspace"


def default_demo_workspace() -> Path:
    return data_dir() / "demo"


BUILTIN_THEMES = Path(__file__).resolve().parent / "themes"
CATALOGS = Path(__file__).resolve().parent / "locale"

# --- inside a workspace (names relative to its root) -------------------------------------------

SETTINGS_FILE = "istui.toml"
LEADS_DIR = "leads"
ACTIVITIES_DIR = "activities"
NOTES_FILE = "notes.json"
TARGETS_FILE = "targets.json"
CAMPAIGNS_FILE = "campaigns.json"
CONFLICTS_DIR = "conflicts"  # conflicts/<rep>.jsonl: the values of that rep that lost a merge (committed)
GITIGNORE_FILE = ".gitignore"
GITATTRIBUTES_FILE = ".gitattributes"
LOCAL_DIR = ".istui"  # local-only state, never committed


class Local:
    """The local-only files of one workspace (`.istui/`)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / LOCAL_DIR
        self.lock = self.folder / "lock"
        self.journal = self.folder / "journal.json"
        self.settings = self.folder / "local.toml"
        self.conflicts = self.folder / "conflicts.jsonl"
        self.last_sync = self.folder / "last-sync.json"
        self.sync_lock = self.folder / "sync.lock"  # held for a whole sync (the lock above only while files change)
        self.sync_merge = self.folder / "sync-merge"  # the commit a sync is merging, until the merge is committed
        self.conflicts_seen = self.folder / "conflicts-seen.json"  # the committed conflict notes already shown here
        self.cache = self.folder / "cache"
        self.lead_index = self.cache / "lead-ids"
        self.activity_index = self.cache / "activity-leads"
        self.rollups = self.cache / "rollups.pickle"
        self.mail_rows = self.cache / "mail-rows"  # one pickle per activity file: its e-mail rows (`services.mail_rows`)
        self.mail_counts = self.cache / "mail-counts.pickle"  # the e-mail view's counts per period and rep
        self.lead_numbers = self.cache / "lead-numbers"
        self.file_checks = self.cache / "file-checks.json"
        self.queue_leads = self.cache / "queue-leads.json"  # the leads today's queue can hold, per lead bucket
        self.handoff_parts = self.cache / "handoff-parts.json"  # each lead bucket's part of the handoff figures


def lead_bucket(root: Path, bucket: str) -> Path:
    return root / LEADS_DIR / f"{bucket}.json"


def activity_file(root: Path, rep: str, month: str) -> Path:
    return root / ACTIVITIES_DIR / rep / f"{month}.jsonl"


def relative(root: Path, path: Path) -> str:
    """`path` as git and doctor name it (relative to the workspace root, with forward slashes)."""
    return path.relative_to(root).as_posix()


# --- which shared files are workspace data (what sync commits, what doctor misses) ---------------------

_SHARED_ROOT_FILES = (SETTINGS_FILE, GITIGNORE_FILE, GITATTRIBUTES_FILE, NOTES_FILE, TARGETS_FILE, CAMPAIGNS_FILE)


def is_shared_file(path: str) -> bool:
    """Whether `path` (relative to the root, with /) is workspace data or settings, shared through git:
    istui.toml, .gitignore, .gitattributes, leads/*.json, activities/<rep>/*.jsonl, notes.json,
    targets.json, campaigns.json, conflicts/*.jsonl."""
    parts = path.split("/")
    if len(parts) == 1:
        return path in _SHARED_ROOT_FILES
    if any(not part or part.startswith(".") for part in parts):
        return False
    if len(parts) == 2:
        return (parts[0] == LEADS_DIR and parts[1].endswith(".json")) or (
            parts[0] == CONFLICTS_DIR and parts[1].endswith(".jsonl"))
    return len(parts) == 3 and parts[0] == ACTIVITIES_DIR and parts[2].endswith(".jsonl")


def data_kind(path: str) -> str | None:
    """The records a shared data file holds ('leads', 'activities', 'notes', 'targets', 'campaigns'), or
    'settings' for istui.toml; None for any other file."""
    top = path.split("/", 1)[0]
    if top in (LEADS_DIR, ACTIVITIES_DIR) and is_shared_file(path):
        return top
    if path in (NOTES_FILE, TARGETS_FILE, CAMPAIGNS_FILE):
        return path[: -len(".json")]
    return "settings" if path == SETTINGS_FILE else None
