;;; teamlens.lsp -- Teamlens journal for AutoCAD.
;;;
;;; Loaded into every drawing by Teamlens.bundle (PackageContents.xml).
;;; Appends usage events to a file of the Teamlens spool, one JSON line
;;; each, in the journal format of docs/journal.md:
;;;   session.start {startup_ms}   session.end
;;;   command {name, outcome}      started | completed | canceled | undone
;;;   document.open / document.save {duration_ms, size_bytes}
;;; Only identifiers and numbers are written: command names are checked
;;; against the journal's identifier rule, a drawing's path is used only to
;;; read its size and is never written.
;;;
;;; NOT YET RUN INSIDE AUTOCAD. Its pure functions (JSON lines, time
;;; stamps, names, durations) and its reactor callbacks are tested by
;;; plugins/autocad/autocad_test.go, which reads every form of this file
;;; and runs them in a small AutoLISP evaluator.
;;;
;;; State shared by the drawings of one AutoCAD session (the session id,
;;; its file, timers) lives on the blackboard (vl-bb-set / vl-bb-ref):
;;; each drawing has its own LISP namespace.

(vl-load-com)

;;; ---------------------------------------------------------------- pure

(setq tl:*releases*
  '(("23.0" . "2019") ("23.1" . "2020") ("24.0" . "2021") ("24.1" . "2022")
    ("24.2" . "2023") ("24.3" . "2024") ("25.0" . "2025") ("25.1" . "2026")))

;; The release year from ACADVER ("25.0s (LMS Tech)"); another release as
;; R<major.minor>.
(defun tl:version (acadver / v)
  (setq v (substr acadver 1 4))
  (cond ((assoc v tl:*releases*) (cdr (assoc v tl:*releases*)))
        ((tl:ident-p (strcat "R" v) 32) (strcat "R" v))
        (T "unknown")))

;; n as a decimal string of at least w digits.
(defun tl:pad (n w / s)
  (setq s (itoa n))
  (while (< (strlen s) w) (setq s (strcat "0" s)))
  s)

;; n (non-negative) as w lower-case hex digits.
(defun tl:hex (n w / s d)
  (setq s "")
  (repeat w
    (setq d (rem n 16)
          s (strcat (substr "0123456789abcdef" (1+ d) 1) s)
          n (/ n 16)))
  s)

;; Julian day number -> (year month day) (Fliegel and Van Flandern).
(defun tl:civil (jdn / a b c d e m)
  (setq a (+ jdn 32044)
        b (/ (+ (* 4 a) 3) 146097)
        c (- a (/ (* 146097 b) 4))
        d (/ (+ (* 4 c) 3) 1461)
        e (- c (/ (* 1461 d) 4))
        m (/ (+ (* 5 e) 2) 153))
  (list (+ (* 100 b) d -4800 (/ m 10))
        (- (+ m 3) (* 12 (/ m 10)))
        (+ (- e (/ (+ (* 153 m) 2) 5)) 1)))

;; (year month day) -> Julian day number.
(defun tl:jdn (y m d / a yy mm)
  (setq a (/ (- 14 m) 12)
        yy (- (+ y 4800) a)
        mm (- (+ m (* 12 a)) 3))
  (+ d (/ (+ (* 153 mm) 2) 5) (* 365 yy) (/ yy 4) (- (/ yy 100)) (/ yy 400) -32045))

;; RFC 3339 UTC time of AutoCAD's DATE (local Julian day and fraction)
;; given the zone's bias in minutes (UTC = local + bias). DATE counts
;; whole seconds since AutoCAD 2017.
(defun tl:stamp (date bias / day secs ymd)
  (setq date (+ date (/ bias 1440.0))
        day (fix date)
        secs (fix (+ (* (- date day) 86400.0) 0.5)))
  (if (>= secs 86400) (setq day (1+ day) secs (- secs 86400)))
  (setq ymd (tl:civil day))
  (strcat (tl:pad (car ymd) 4) "-" (tl:pad (cadr ymd) 2) "-" (tl:pad (caddr ymd) 2)
          "T" (tl:pad (/ secs 3600) 2) ":" (tl:pad (rem (/ secs 60) 60) 2) ":" (tl:pad (rem secs 60) 2) "Z"))

;; Milliseconds from MILLISECS a to b (GetTickCount wraps at 2^32).
;; MILLISECS is a 32-bit integer: past 2^31 it reads negative. The
;; difference is taken in reals, where it cannot overflow.
(defun tl:elapsed (a b / d)
  (setq d (- (float b) a))
  (if (< d 0) (setq d (+ d 4294967296.0)))
  (fix (min d 86400000.0)))

;; Seconds of a local CIM datetime ("20261203125724.123456+060") on the
;; same scale as (* 86400 DATE).
(defun tl:cim-seconds (s)
  (+ (* 86400.0 (tl:jdn (atoi (substr s 1 4)) (atoi (substr s 5 2)) (atoi (substr s 7 2))))
     (* 3600.0 (atoi (substr s 9 2)))
     (* 60.0 (atoi (substr s 11 2)))
     (atof (substr s 13 6))))

;; Startup time: from the process's creation to now (DATE), or nil.
(defun tl:startup-from (created date / ms)
  (setq ms (fix (* 1000.0 (- (* 86400.0 date) (tl:cim-seconds created)))))
  (if (and (>= ms 0) (<= ms 86400000)) ms))

(defun tl:ident-char-p (c)
  (or (and (>= c 48) (<= c 57)) (and (>= c 65) (<= c 90)) (and (>= c 97) (<= c 122))
      (= c 95) (= c 46) (= c 43) (= c 45)))

(defun tl:alnum-p (c)
  (or (and (>= c 48) (<= c 57)) (and (>= c 65) (<= c 90)) (and (>= c 97) (<= c 122))))

;; Whether s is an identifier of the journal: [A-Za-z0-9][A-Za-z0-9_.+-]*,
;; at most n characters. Anything else (a path, free text) is not written.
(defun tl:ident-p (s n / i ok)
  (setq ok (and (= (type s) 'STR) (> (strlen s) 0) (<= (strlen s) n) (tl:alnum-p (ascii s)))
        i 2)
  (while (and ok (<= i (strlen s)))
    (setq ok (tl:ident-char-p (ascii (substr s i 1)))
          i (1+ i)))
  ok)

;; A command's name as the journal normalizes it: leading _ . - ' off,
;; upper case ("_.line" -> "LINE").
(defun tl:norm (s)
  (if (/= (type s) 'STR) (setq s ""))
  (while (and (> (strlen s) 0) (member (substr s 1 1) '("_" "." "-" "'")))
    (setq s (substr s 2)))
  (strcase s))

;; One journal line: fields are (name . value) pairs whose values are
;; integers or identifiers.
(defun tl:json-line (typ fields / s)
  (setq s (strcat "{\"v\":1,\"ts\":\"" (tl:stamp (getvar "DATE") (tl:bb-or 'tl:bias 0))
                  "\",\"product\":\"AutoCAD\",\"version\":\"" (tl:bb-or 'tl:version "unknown")
                  "\",\"session\":\"" (tl:bb-or 'tl:session "none")
                  "\",\"type\":\"" typ "\""))
  (foreach f fields
    (setq s (strcat s ",\"" (car f) "\":"
                    (if (= (type (cdr f)) 'STR) (strcat "\"" (cdr f) "\"") (itoa (cdr f))))))
  (strcat s "}"))

(defun tl:bb-or (sym default / v)
  (if (setq v (vl-bb-ref sym)) v default))

;;; ------------------------------------------------------------- events

(defun tl:emit (typ fields)
  (if (vl-bb-ref 'tl:session)
    (tl:write (tl:json-line typ fields))))

(defun tl:command (name outcome)
  (if (tl:ident-p name 64)
    (tl:emit "command" (list (cons "name" name) (cons "outcome" outcome)))))

(defun tl:cmd-start (reactor data / name)
  (setq name (tl:norm (car data)))
  (if (= name "OPEN") (vl-bb-set 'tl:open-at (getvar "MILLISECS")))
  (tl:command name "started"))

(defun tl:cmd-end (reactor data / name last)
  (setq name (tl:norm (car data)))
  (cond ((member name '("U" "UNDO"))
         (if (setq last (vl-bb-ref 'tl:last-command))
           (tl:command last "undone"))
         (vl-bb-set 'tl:last-command nil))
        ((not (member name '("REDO" "MREDO")))
         (vl-bb-set 'tl:last-command name)))
  (tl:command name "completed"))

(defun tl:cmd-cancel (reactor data / name)
  (setq name (tl:norm (car data)))
  (if (= name "OPEN") (vl-bb-set 'tl:open-at nil))
  (tl:command name "canceled"))

;; The size of the file at path, which is not kept.
(defun tl:size (path / n)
  (if (and (= (type path) 'STR) (setq n (vl-file-size path))) n 0))

(defun tl:save-begin (reactor data)
  (vl-bb-set 'tl:save-at (getvar "MILLISECS")))

(defun tl:save-end (reactor data / at)
  (if (setq at (vl-bb-ref 'tl:save-at))
    (progn
      (vl-bb-set 'tl:save-at nil)
      (tl:emit "document.save"
               (list (cons "duration_ms" (tl:elapsed at (getvar "MILLISECS")))
                     (cons "size_bytes" (tl:size (car data))))))))

;; A drawing opened by OPEN in another drawing has loaded this file: the
;; open took from the command's start until now.
(defun tl:open-done (/ at)
  (if (setq at (vl-bb-ref 'tl:open-at))
    (progn
      (vl-bb-set 'tl:open-at nil)
      (tl:emit "document.open"
               (list (cons "duration_ms" (tl:elapsed at (getvar "MILLISECS")))
                     (cons "size_bytes" (tl:size (strcat (getvar "DWGPREFIX") (getvar "DWGNAME")))))))))

(defun tl:session-id (/ date)
  (setq date (getvar "DATE"))
  (strcat "acad-" (tl:hex (abs (getvar "MILLISECS")) 8)
          (tl:hex (fix (* (- date (fix date)) 86400.0)) 5)))

(defun tl:begin-session (/ ms)
  (if (null (vl-bb-ref 'tl:session))
    (progn
      (vl-bb-set 'tl:session (tl:session-id))
      (vl-bb-set 'tl:version (tl:version (getvar "ACADVER")))
      (vl-bb-set 'tl:bias (tl:bias))
      (vl-bb-set 'tl:file nil)
      (setq ms (tl:startup-ms))
      (tl:emit "session.start" (if ms (list (cons "startup_ms" ms)))))))

(defun tl:end-session ()
  (if (vl-bb-ref 'tl:session)
    (progn
      (tl:emit "session.end" nil)
      (vl-bb-set 'tl:session nil)
      (vl-bb-set 'tl:file nil))))

;; The last drawing closing ends the session.
(defun tl:close (reactor data)
  (if (<= (tl:doc-count) 1) (tl:end-session)))

;;; ------------------------------------------------------ AutoCAD side

;; UTC = local + bias minutes, from Windows' time zone settings.
(defun tl:bias (/ b)
  (setq b (vl-registry-read "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation"
                            "ActiveTimeBias"))
  (cond ((not (numberp b)) 0)
        ((> b 2147483647) (fix (- b 4294967296.0)))
        (T b)))

(defun tl:doc-count ()
  (vla-get-count (vla-get-documents (vlax-get-acad-object))))

;; The creation time of the newest acad.exe (this one), from WMI.
(defun tl:acad-created (/ loc svc procs newest c)
  (setq loc (vlax-create-object "WbemScripting.SWbemLocator")
        svc (vlax-invoke loc 'ConnectServer "." "root\\cimv2")
        procs (vlax-invoke svc 'ExecQuery "SELECT CreationDate FROM Win32_Process WHERE Name = 'acad.exe'"))
  (vlax-for p procs
    (setq c (vlax-get p 'CreationDate))
    (if (or (null newest) (> c newest)) (setq newest c)))
  (vlax-release-object loc)
  newest)

(defun tl:startup-ms (/ r)
  (setq r (vl-catch-all-apply 'tl:acad-created nil))
  (if (and r (not (vl-catch-all-error-p r)))
    (tl:startup-from r (getvar "DATE"))))

(defun tl:spool (/ env)
  (if (setq env (getenv "TEAMLENS_SPOOL"))
    env
    (strcat (getenv "ProgramData") "\\Teamlens\\spool")))

;; A new file of the session under a name not in use. AutoLISP can
;; neither create exclusively nor refuse a link, so a name is reopened only
;; while the session writes: after a pause of an hour the session goes on
;; in a new file (docs/journal.md, "Creating and re-opening safely").
(defun tl:new-file (/ name n)
  (setq n 0)
  (while (progn
           (setq name (strcat (tl:spool) "\\AutoCAD-" (vl-bb-ref 'tl:session) "-"
                              (tl:hex (abs (getvar "MILLISECS")) 8) (tl:hex n 2) ".jsonl"))
           (findfile name))
    (setq n (1+ n)))
  (vl-bb-set 'tl:file name))

(defun tl:write (line / now last f)
  (setq now (getvar "MILLISECS")
        last (vl-bb-ref 'tl:last-write))
  (if (or (null (vl-bb-ref 'tl:file)) (and last (>= (tl:elapsed last now) 3600000)))
    (tl:new-file))
  (if (setq f (open (vl-bb-ref 'tl:file) "a"))
    (progn
      (write-line line f)
      (close f)
      (vl-bb-set 'tl:last-write now))))

(defun tl:install-reactors ()
  (if (null tl:*reactors*)
    (setq tl:*reactors*
      (list
        (vlr-command-reactor nil
          '((:vlr-commandWillStart . tl:cmd-start)
            (:vlr-commandEnded . tl:cmd-end)
            (:vlr-commandCancelled . tl:cmd-cancel)
            (:vlr-commandFailed . tl:cmd-cancel)))
        (vlr-dwg-reactor nil
          '((:vlr-beginSave . tl:save-begin)
            (:vlr-saveComplete . tl:save-end)
            (:vlr-beginClose . tl:close)))))))

;;; ----------------------------------------------------------------- load

(tl:begin-session)
(tl:open-done)
(tl:install-reactors)
(princ)
