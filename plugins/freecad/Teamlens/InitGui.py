# Teamlens, GUI part: one command event per FreeCAD command run, by its
# command name (Std_Open, Part_Box), from the toolbars, menus, shortcuts
# and Gui.runCommand; the session ends when the application quits.
def _teamlens_gui():
    import teamlens_journal
    import FreeCADGui
    j = teamlens_journal.journal()
    if j is None:
        return
    from PySide import QtCore, QtGui

    known = set(FreeCADGui.listCommands())
    hooked = set()

    def hook():
        mw = FreeCADGui.getMainWindow()
        known.update(FreeCADGui.listCommands())
        for action in mw.findChildren(QtGui.QAction):
            name = action.objectName()
            if name in known and id(action) not in hooked:
                hooked.add(id(action))
                action.triggered.connect(lambda checked=False, n=name: j.command(n))

    real_run = FreeCADGui.runCommand

    def runCommand(name, *args):
        j.command(name)
        return real_run(name, *args)

    FreeCADGui.runCommand = runCommand
    mw = FreeCADGui.getMainWindow()
    mw.workbenchActivated.connect(lambda name: hook())
    QtCore.QTimer.singleShot(0, hook)
    # The first turn of the event loop: FreeCAD is ready for the user.
    QtCore.QTimer.singleShot(0, lambda: j.start(teamlens_journal.process_age_ms()))
    QtGui.QApplication.instance().aboutToQuit.connect(j.end)


try:
    _teamlens_gui()
except Exception as e:
    import teamlens_journal
    if teamlens_journal.journal() is not None:
        teamlens_journal.journal().start()  # the session, without its start time
    FreeCAD.Console.PrintWarning("Teamlens add-on (GUI) disabled: %s\n" % e.__class__.__name__)
