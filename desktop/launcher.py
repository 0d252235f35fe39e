"""Put LR Playground in the desktop's applications menu, and find its icons.

``lr-playground --install-desktop-entry`` writes a freedesktop ``.desktop``
file and the icon into the user's XDG data folder (no root needed), so the
program shows up in the menu and can be pinned and double-clicked;
``--uninstall-desktop-entry`` takes exactly those files away again.

No Qt here: the flags are handled before a QApplication exists, and
``icon_path()`` is plain file lookup, so this module imports in milliseconds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import sysconfig
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from core.errors import ConfigError
from core.io.atomic import atomic_open, describe_os_error

# one name for the .desktop file, the icon, the Wayland app id and the X11
# WM_CLASS instance: desktops match a window to its launcher by it
APP_ID = "lr-playground"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
INSTALL_FLAG = "--install-desktop-entry"
UNINSTALL_FLAG = "--uninstall-desktop-entry"

# characters that force an Exec argument into double quotes (Desktop Entry spec, "The Exec key")
_EXEC_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_CACHE_TOOL_TIMEOUT_S = 30


def resources_dir() -> Path:
    """The installed ``resources`` package folder (site-packages, a checkout, or a bundle)."""
    root = files("resources")
    if isinstance(root, Path):
        return root
    # a zipped install hands out Traversables, which no desktop can point at
    raise ConfigError("the resources package is not on disk; reinstall lr-playground with pip")


def icon_path(size: int | None = None) -> Path:
    """The SVG icon, or the PNG rendered for ``size`` pixels.

    A size between the rendered ones gets the next larger PNG (Qt scales down
    more cleanly than up); a size above 512 gets the 512 one.
    """
    folder = resources_dir() / "icons"
    if size is None:
        return folder / f"{APP_ID}.svg"
    if size <= 0:
        raise ValueError(f"icon size must be a positive number of pixels, got {size}")
    fit = next((s for s in ICON_SIZES if s >= size), ICON_SIZES[-1])
    return folder / f"{APP_ID}-{fit}.png"


def icon_files() -> list[Path]:
    """Every rendered PNG, smallest first, then the SVG: what a QIcon should be built from."""
    return [icon_path(size) for size in ICON_SIZES] + [icon_path()]


def desktop_template_path() -> Path:
    return resources_dir() / f"{APP_ID}.desktop"


def data_home(xdg_data_home: str | os.PathLike[str] | None = None) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` where it is unset, empty or relative (the spec)."""
    if xdg_data_home is not None:
        return Path(xdg_data_home)
    env = os.environ.get("XDG_DATA_HOME", "")
    if env and os.path.isabs(env):
        return Path(env)
    return Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """The absolute command that starts the window, for the Exec line.

    A menu entry runs without the user's shell or an activated venv, so it
    must name the script pip installed (whose shebang names its own Python).
    """
    if getattr(sys, "frozen", False):
        # a PyInstaller bundle: its own executable is the program
        return [os.path.abspath(sys.executable)]
    script = f"{APP_ID}.exe" if os.name == "nt" else APP_ID
    candidates = []
    if Path(sys.argv[0]).name == script:
        candidates.append(Path(sys.argv[0]))
    candidates.append(Path(sysconfig.get_path("scripts")) / script)
    with contextlib.suppress(KeyError, ValueError):
        user_scheme = sysconfig.get_preferred_scheme("user")
        candidates.append(Path(sysconfig.get_path("scripts", user_scheme)) / script)
    on_path = shutil.which(script)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            # abspath, not resolve: a venv's python is a symlink out of the venv
            return [os.path.abspath(candidate)]
    return [os.path.abspath(sys.executable), "-m", "desktop.app"]


def _quote_exec_arg(arg: str) -> str:
    if any(c in arg for c in "\n\r"):
        raise ConfigError(f"cannot put {arg!r} on a desktop entry's Exec line: it has a line break")
    arg = arg.replace("%", "%%")
    if any(c in _EXEC_RESERVED for c in arg):
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        arg = f'"{inner}"'
    # Exec is also a string value, whose own backslash escaping is undone first
    return arg.replace("\\", "\\\\")


def desktop_entry_text(command: Sequence[str] | None = None) -> str:
    """The ``.desktop`` file for ``command`` (default: `launch_command`), from the template."""
    command = list(launch_command() if command is None else command)
    exec_line = "Exec=" + " ".join(_quote_exec_arg(a) for a in command) + " %f"
    # TryExec hides the entry, instead of a dead one, once the program is uninstalled
    try_exec = "TryExec=" + command[0].replace("\\", "\\\\")
    out = []
    for line in desktop_template_path().read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            out += [try_exec, exec_line]
        elif not line.startswith("TryExec="):
            out.append(line)
    return "\n".join(out) + "\n"


def _targets(home: Path) -> list[tuple[Path, Path | None]]:
    """(installed path, source file) for each file we own; the desktop file has no source."""
    hicolor = home / "icons" / "hicolor"
    targets: list[tuple[Path, Path | None]] = [(home / "applications" / f"{APP_ID}.desktop", None)]
    for size in ICON_SIZES:
        targets.append((hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png", icon_path(size)))
    targets.append((hicolor / "scalable" / "apps" / f"{APP_ID}.svg", icon_path()))
    return targets


def installed_paths(xdg_data_home: str | os.PathLike[str] | None = None) -> list[Path]:
    """Where `install_desktop_entry` writes, whether or not it has."""
    return [path for path, _ in _targets(data_home(xdg_data_home))]


def install_desktop_entry(xdg_data_home: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write the menu entry and icons under ``xdg_data_home``; return the paths written.

    Running it again rewrites the same files (e.g. after the program moved).
    Each file is replaced atomically, so a menu never reads half an entry.
    """
    home = data_home(xdg_data_home)
    text = desktop_entry_text()
    written = []
    for target, source in _targets(home):
        _make_folder(target.parent)
        if source is None:
            with atomic_open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        else:
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read icon {str(source)!r}: {describe_os_error(exc)}"
                                  "; reinstall lr-playground") from None
            with atomic_open(target, "wb") as handle:
                handle.write(data)
        written.append(target)
    _refresh_caches(home)
    return written


def uninstall_desktop_entry(xdg_data_home: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove the files `install_desktop_entry` writes; return those that were there.

    Folders stay: other programs' icons live in them too.
    """
    home = data_home(xdg_data_home)
    removed = []
    for target, _ in _targets(home):
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot remove {str(target)!r}: {describe_os_error(exc)}") from None
        removed.append(target)
    if removed:
        _refresh_caches(home)
    return removed


def handle_launcher_flags(argv: Sequence[str]) -> int | None:
    """Handle ``--install-desktop-entry`` / ``--uninstall-desktop-entry`` in ``argv``.

    Returns the exit status once one was handled (one ``wrote``/``removed``
    line per file on stdout; one ``error: ...`` line on stderr and 1 on
    failure), or None when neither flag is present and the window should open.
    """
    install, uninstall = INSTALL_FLAG in argv, UNINSTALL_FLAG in argv
    if not (install or uninstall):
        return None
    if install and uninstall:
        return _fail(f"choose one of {INSTALL_FLAG} and {UNINSTALL_FLAG}")
    if sys.platform in ("win32", "darwin"):
        return _fail("desktop entries are for Linux desktops (freedesktop.org); on Windows and "
                     "macOS the README says how to make a shortcut")
    try:
        if install:
            lines = [f"wrote {path}" for path in install_desktop_entry()]
        else:
            lines = [f"removed {path}" for path in uninstall_desktop_entry()]
    except ConfigError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.filename or 'desktop entry'}: {describe_os_error(exc)}")
    # a Windows GUI script has no stdout at all (sys.stdout is None)
    if sys.stdout is not None:
        for line in lines:
            print(line)
    return 0


def _fail(message: str) -> int:
    if sys.stderr is not None:
        sys.stderr.write(f"error: {message}\n")
    return 1


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create folder {str(folder)!r}: {describe_os_error(exc)}"
        raise ConfigError(message) from None


def _refresh_caches(home: Path) -> None:
    """Tell menus and icon loaders about the change; best effort, as xdg-utils does."""
    applications = home / "applications"
    tool = shutil.which("update-desktop-database")
    if tool and applications.is_dir():
        _run_quietly([tool, "-q", str(applications)])
    hicolor = home / "icons" / "hicolor"
    tool = shutil.which("gtk-update-icon-cache")
    # refresh a cache that exists (a stale one hides our icon from GTK), but never
    # create one: a cache nobody else refreshes would hide the next program's icon
    if tool and (hicolor / "icon-theme.cache").is_file():
        _run_quietly([tool, "-q", "-f", "-t", str(hicolor)])
    # icon loaders without a cache notice new icons by the theme folder's mtime
    with contextlib.suppress(OSError):
        os.utime(hicolor)


def _run_quietly(command: list[str]) -> None:
    import subprocess  # here: every start of the window imports this module, few run tools

    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=_CACHE_TOOL_TIMEOUT_S, check=False)
