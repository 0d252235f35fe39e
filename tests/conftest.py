import os

# GUI tests render offscreen; set before any Qt import. Tests never touch the
# real user settings: each GUI test points QSettings at a temporary folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
