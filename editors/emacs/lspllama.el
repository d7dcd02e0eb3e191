;;; lspllama.el --- Local model completions through eglot and the LspLlama server -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9") (jsonrpc "1.0.14"))
;; Keywords: convenience, languages, tools
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; LspLlama is a language server that serves code completions from a local GGUF model.
;; This package registers it with eglot and adds `lspllama-mode', a minor mode that shows the
;; server's inline completions (`textDocument/inlineCompletion', LSP 3.18) as ghost text, since
;; eglot itself has no inline-completion UI.  The requests go through eglot's own connection.
;;
;;   (require 'lspllama)
;;   (setq lspllama-server-command '("lspllama")
;;         lspllama-model-path "~/models/model.gguf")
;;   (lspllama-setup)        ; registers the server with eglot, turns on the mode with eglot
;;
;; While a suggestion is shown: TAB accepts it, M-f accepts its next word, C-g dismisses it,
;; M-n / M-p show the next / previous one.  M-x lspllama-complete asks for one at once.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'jsonrpc)

(defgroup lspllama nil
  "Completions from a local model through the LspLlama language server."
  :group 'tools
  :prefix "lspllama-")

(defcustom lspllama-server-command '("lspllama")
  "Command that starts the server: the program and its arguments.
A framework-dependent build runs as (\"dotnet\" \"/path/to/lspllama.dll\")."
  :type '(repeat string))

(defcustom lspllama-model-path nil
  "GGUF model file the server loads.
Sent as `model.path' in the server's settings."
  :type '(choice (const :tag "Server default" nil) file))

(defcustom lspllama-settings nil
  "More server settings, as a plist merged over the model path.
Example: (:model (:contextSize 8192) :completion (:maxTokens 64))."
  :type 'plist)

(defcustom lspllama-major-modes
  '(c-mode c-ts-mode c++-mode c++-ts-mode csharp-mode csharp-ts-mode java-mode java-ts-mode
    python-mode python-ts-mode js-mode js-ts-mode typescript-mode typescript-ts-mode tsx-ts-mode
    go-mode go-ts-mode rust-mode rust-ts-mode ruby-mode ruby-ts-mode sh-mode bash-ts-mode
    lua-mode lua-ts-mode)
  "Major modes whose buffers eglot manages with the LspLlama server.
Eglot runs one server per major mode: these modes then use LspLlama,
not another server."
  :type '(repeat symbol))

(defcustom lspllama-idle-delay 0.2
  "Seconds of idle time after an edit before asking for a suggestion.
Nil asks only on demand (`lspllama-complete')."
  :type '(choice (const :tag "Only with `lspllama-complete'" nil) number))

(defface lspllama-ghost-face '((t :inherit shadow))
  "Face of the suggested text shown after point.")

(defvar lspllama-last-status nil
  "Plist of the last `lspllama/statusChanged' notification.")

(defvar lspllama-problem nil
  "What is wrong, in words, until it is fixed: no server program, a model error.
Shown in the mode line; nil when all is well.")

(defface lspllama-error-face '((t :inherit error))
  "Face of the mode line text while something is wrong.")

;;;; Server registration

(defclass eglot-lspllama (eglot-lsp-server) ()
  :documentation "The LspLlama language server.")

(defun lspllama--settings ()
  "The server's settings plist, with the model path expanded."
  (let ((settings (copy-tree lspllama-settings)))
    (when lspllama-model-path
      (setq settings (plist-put settings :model
                                (plist-put (copy-sequence (plist-get settings :model))
                                           :path (expand-file-name lspllama-model-path)))))
    (or settings (make-hash-table))))

(cl-defmethod eglot-initialization-options ((_server eglot-lspllama))
  "Send `lspllama-model-path' and `lspllama-settings' at start-up."
  (lspllama--settings))

(defun lspllama--contact (&rest _)
  "The eglot contact: the server class and its command line."
  (cons 'eglot-lspllama (lspllama--command)))

(cl-defmethod eglot-handle-notification
  ((_server eglot-lspllama) (_method (eql lspllama/statusChanged)) &rest status)
  "Keep the server's STATUS for the mode line and `lspllama-status'."
  (setq lspllama-last-status status)
  (let ((state (plist-get status :state)))
    (cond ((member state '("error" "noModel"))
           (setq lspllama-problem (or (plist-get status :message) state)))
          ((member state '("ready" "loading")) (setq lspllama-problem nil))))
  (force-mode-line-update t))

(defun lspllama-command-problem ()
  "Why `lspllama-server-command' cannot run, or nil when it can."
  (let* ((command (car (lspllama--command)))
         (dll (cadr (lspllama--command))))
    (cond ((not (and command (executable-find command)))
           (if (equal command "dotnet")
               "`dotnet' is not on PATH (a .dll server needs the .NET runtime)"
             (format "the server command `%s' was not found%s.  Set `lspllama-server-command' to its absolute path (for example \"~/.dotnet/tools/lspllama\") or add its folder to `exec-path'"
                     command (if (file-name-absolute-p command) "" " on exec-path"))))
          ((and (equal command "dotnet") dll (not (file-exists-p dll)))
           (format "the server %s does not exist: check `lspllama-server-command'" dll)))))

(defun lspllama--command ()
  "The server command line, with ~ expanded."
  (mapcar (lambda (arg) (if (string-prefix-p "~" arg) (expand-file-name arg) arg))
          lspllama-server-command))

(defun lspllama--global-mode-line ()
  "The problem, in buffers without `lspllama-mode' (the server never started)."
  (when (and lspllama-problem (not (bound-and-true-p lspllama-mode)))
    (propertize " Llama[error]" 'face 'lspllama-error-face 'help-echo lspllama-problem)))

;;;###autoload
(defun lspllama-setup ()
  "Register the server with eglot and turn on ghost text with it.
The server manages the buffers of `lspllama-major-modes'."
  (interactive)
  (setq eglot-server-programs
        (cons (cons lspllama-major-modes #'lspllama--contact)
              (cl-remove #'lspllama--contact eglot-server-programs :key #'cdr)))
  (add-hook 'eglot-managed-mode-hook #'lspllama--maybe-enable)
  (advice-add 'eglot--message :filter-args #'lspllama--short-connect-message)
  (unless (member '(:eval (lspllama--global-mode-line)) global-mode-string)
    (setq global-mode-string (append (or global-mode-string '("")) '((:eval (lspllama--global-mode-line))))))
  ;; Checked at start: eglot alone only says "Searching for program" when it is missing.
  (setq lspllama-problem (lspllama-command-problem))
  (when lspllama-problem
    (display-warning 'lspllama (concat "LspLlama: " lspllama-problem) :error)))

(defun lspllama--short-connect-message (args)
  "Shorten eglot's connect message ARGS for the LspLlama server.
Eglot names every mode the server manages, all of `lspllama-major-modes'
on three lines; say how many there are and which one connected instead."
  (pcase args
    (`(,(and (pred stringp) format) "lspllama" ,(and (pred consp) modes) ,project)
     (if (and (string-prefix-p "Connected! Server" format) (> (length modes) 3))
         (list "Connected! Server `%s' now managing %d major modes (`%s' among them) in project `%s'."
               "lspllama" (length modes) (if (memq major-mode modes) major-mode (car modes)) project)
       args))
    (_ args)))

(defvar lspllama-mode)

(defun lspllama--maybe-enable ()
  "Turn `lspllama-mode' on in buffers that the LspLlama server manages."
  (if (and (bound-and-true-p eglot--managed-mode) (lspllama--server))
      (lspllama-mode 1)
    (when lspllama-mode (lspllama-mode -1))))

;;;; eglot glue (eglot 1.9 in Emacs 28 and the eglot built into Emacs 29+)

(defun lspllama--server ()
  "The LspLlama server managing this buffer, or nil."
  (let ((server (eglot-current-server)))
    (and server (object-of-class-p server 'eglot-lspllama) server)))

(defun lspllama--capable (&rest feats)
  "Whether the current server has capability FEATS."
  (with-no-warnings                     ; the old name is obsolete since eglot 1.16
    (apply (if (fboundp 'eglot-server-capable) #'eglot-server-capable #'eglot--server-capable)
           feats)))

(defun lspllama--flush ()
  "Send the buffer's pending changes now, so a request sees the current text."
  (when (fboundp 'eglot--signal-textDocument/didChange)
    (eglot--signal-textDocument/didChange)))

(defun lspllama--uri ()
  "The LSP URI of this buffer's file."
  (with-no-warnings                     ; the old name is obsolete since eglot 1.16
    (funcall (if (fboundp 'eglot-path-to-uri) #'eglot-path-to-uri #'eglot--path-to-uri)
             buffer-file-name)))

(defun lspllama-document-text ()
  "The server's copy of this buffer: a plist (:text TEXT :version N)."
  (let ((server (or (lspllama--server) (user-error "LspLlama does not manage this buffer"))))
    (lspllama--flush)
    (jsonrpc-request server :lspllama/documentText (list :uri (lspllama--uri)))))

(defun lspllama-status-lines ()
  "The last status in words, one fact per line."
  (let ((s lspllama-last-status))
    (if (not s)
        (list (concat "LspLlama: " (or lspllama-problem "no status yet")))
      (delq nil
            (list (format "LspLlama: %s" (plist-get s :state))
                  (when (stringp (plist-get s :message)) (concat "message: " (plist-get s :message)))
                  (let ((m (plist-get s :model)))
                    (when m (format "model: %s (%s)" (plist-get m :path) (plist-get m :architecture))))
                  (when (stringp (plist-get s :memoryKind))
                    (format "memory: %s, checkpoint policy %s" (plist-get s :memoryKind) (plist-get s :policy)))
                  (when (plist-get s :contextTokens)
                    (format "context: %s of %s tokens" (plist-get s :contextTokens) (plist-get s :contextSize)))
                  (let ((c (plist-get s :checkpoints)))
                    (when c (format "checkpoints: %s (%d KiB)" (plist-get c :count)
                                    (ceiling (or (plist-get c :bytes) 0) 1024)))))))))

(defun lspllama-status ()
  "Show the server's last status."
  (interactive)
  (message "%s" (mapconcat #'identity (lspllama-status-lines) "\n")))

(defun lspllama-doctor ()
  "Check the set-up: the server command, then what `lspllama doctor' finds.
The model, its vocabulary, the memory kind, the store folder and the log level."
  (interactive)
  (let ((problem (lspllama-command-problem))
        (buffer (get-buffer-create "*lspllama-doctor*")))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (if problem
            (insert "problem: " problem "\n")
          (let* ((command (lspllama--command))
                 (model (or lspllama-model-path (plist-get (plist-get lspllama-settings :model) :path)))
                 (args (append (cdr command) '("doctor")
                               (when model (list "--model" (expand-file-name model))))))
            (insert (format "ok: server command: %s\n" (mapconcat #'identity command " ")))
            (let ((code (apply #'call-process (car command) nil t nil args)))
              (unless (eql code 0)
                (insert (format "problem: lspllama doctor exited with %s\n" code))))))
        (special-mode)))
    (display-buffer buffer)
    buffer))

(defun lspllama-apply-settings ()
  "Send `lspllama-model-path' and `lspllama-settings' to this buffer's server now.
Eglot pushes its own `eglot-workspace-configuration', not these."
  (interactive)
  (let ((server (or (lspllama--server) (user-error "LspLlama does not manage this buffer"))))
    (jsonrpc-notify server :workspace/didChangeConfiguration
                    (list :settings (list :lspllama (lspllama--settings))))))

(defun lspllama-restart ()
  "Restart the LspLlama server of this buffer."
  (interactive)
  (call-interactively #'eglot-reconnect))

(defun lspllama-show-log ()
  "Show the server's stderr (its log)."
  (interactive)
  (let ((server (or (lspllama--server) (user-error "LspLlama does not manage this buffer"))))
    (if (fboundp 'eglot-events-buffer)
        (display-buffer (jsonrpc-stderr-buffer server))
      (eglot-stderr-buffer server))))

;;;; Ghost text

(defvar-local lspllama--overlay nil "Overlay showing the suggestion after point.")
(defvar-local lspllama--items nil "Items of the last answer, a list of plists.")
(defvar-local lspllama--index 0 "Index of the shown item in `lspllama--items'.")
(defvar-local lspllama--request-tick nil "Buffer tick the pending request was made at.")
(defvar-local lspllama--timer nil "Idle timer of the next automatic request.")
(defvar-local lspllama--ghost-shown nil "Non-nil while a suggestion is shown (enables the keys).")

(defvar lspllama-completion-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "TAB") #'lspllama-accept)
    (define-key map (kbd "<tab>") #'lspllama-accept)
    (define-key map (kbd "M-f") #'lspllama-accept-word)
    (define-key map (kbd "C-<right>") #'lspllama-accept-word)
    (define-key map (kbd "C-g") #'lspllama-dismiss)
    (define-key map (kbd "M-n") #'lspllama-next)
    (define-key map (kbd "M-p") #'lspllama-previous)
    map)
  "Keys active while a suggestion is shown.")

(defvar lspllama--emulation-alist `((lspllama--ghost-shown . ,lspllama-completion-map))
  "Gives `lspllama-completion-map' precedence while a suggestion shows.")

(defun lspllama--item-text (item)
  "The text ITEM inserts (a plain string, or a snippet's text)."
  (let ((text (plist-get item :insertText)))
    (if (stringp text) text (or (plist-get text :value) ""))))

(defun lspllama--item-region (item)
  "The (BEG . END) region ITEM replaces.
Without a range, the empty region at point."
  (let ((range (plist-get item :range)))
    (if range (eglot-range-region range) (cons (point) (point)))))

(defun lspllama--ghost (item)
  "The part of ITEM still to insert at point.
Nil when ITEM does not fit the buffer."
  (pcase-let* ((text (lspllama--item-text item))
               (`(,beg . ,_end) (lspllama--item-region item)))
    ;; Point may be past the range's end once the user typed (or accepted) into the item: the
    ;; typed text then stands in for the range and the item still fits if it starts with it.
    (when (<= beg (point))
      (let ((typed (buffer-substring-no-properties beg (point))))
        (when (string-prefix-p typed text)
          (substring text (length typed)))))))

(defun lspllama--show ()
  "Show the current item after point, or nothing when it does not fit."
  (lspllama--hide)
  (let* ((item (nth lspllama--index lspllama--items))
         (ghost (and item (lspllama--ghost item))))
    (when (and ghost (not (string-empty-p ghost)))
      (let ((ov (make-overlay (point) (point) nil t nil))
            (shown (propertize ghost 'face 'lspllama-ghost-face)))
        ;; The cursor stays before the ghost text, not after it.
        (put-text-property 0 1 'cursor t shown)
        (overlay-put ov 'after-string shown)
        (overlay-put ov 'lspllama t)
        (overlay-put ov 'priority 1000)
        (setq lspllama--overlay ov
              lspllama--ghost-shown t)))))

(defun lspllama--hide ()
  "Remove the ghost text."
  (when lspllama--overlay
    (delete-overlay lspllama--overlay)
    (setq lspllama--overlay nil))
  (setq lspllama--ghost-shown nil))

(defun lspllama-suggestion ()
  "The suggestion shown at point (the text still to insert), or nil."
  (and lspllama--overlay (overlay-get lspllama--overlay 'after-string)
       (substring-no-properties (overlay-get lspllama--overlay 'after-string))))

(defun lspllama-complete (&optional automatic)
  "Ask the server for a suggestion at point.
AUTOMATIC marks a request made while typing."
  (interactive)
  (when (and (lspllama--server) (lspllama--capable :inlineCompletionProvider))
    (lspllama--flush)
    (let* ((buffer (current-buffer))
           (tick (buffer-chars-modified-tick))
           (pos (point))
           (params (append (eglot--TextDocumentPositionParams)
                           (list :context (list :triggerKind (if automatic 2 1))))))
      (setq lspllama--request-tick tick)
      (jsonrpc-async-request
       (lspllama--server) :textDocument/inlineCompletion params
       :success-fn
       (lambda (result)
         (when (buffer-live-p buffer)
           (with-current-buffer buffer
             ;; Drop answers to a text or a point that has moved on.
             (when (and (eql tick lspllama--request-tick)
                        (eql tick (buffer-chars-modified-tick))
                        (eql pos (point)))
               (setq lspllama--items
                     (append (if (vectorp result) result (plist-get result :items)) nil)
                     lspllama--index 0)
               (lspllama--show)))))
       ;; A request the server cancelled (a newer one replaced it) is not news for the user.
       :error-fn (lambda (err)
                   (unless (eql (plist-get err :code) -32800)
                     (message "LspLlama: %s" (plist-get err :message))))
       :deferred :textDocument/inlineCompletion))))

(defun lspllama--accept (text-fn)
  "Insert the shown item, cut to what TEXT-FN returns for the ghost text."
  (let* ((item (nth lspllama--index lspllama--items))
         (ghost (and item (lspllama--ghost item))))
    (when ghost
      (let ((insert (funcall text-fn ghost))
            (rest-end (max (point) (cdr (lspllama--item-region item)))))
        (lspllama--hide)
        ;; The item replaces its range: the typed part stays, the text after point in the range
        ;; goes only when the whole item is accepted.
        (when (and (string= insert ghost) (> rest-end (point)))
          (delete-region (point) rest-end))
        (insert insert)
        (if (string= insert ghost)
            (setq lspllama--items nil)
          ;; The rest of the same item stays shown: it still fits the text.
          (lspllama--show))
        insert))))

(defun lspllama-accept ()
  "Insert the whole suggestion."
  (interactive)
  (lspllama--accept #'identity))

(defun lspllama-accept-word ()
  "Insert the suggestion up to the end of its next word."
  (interactive)
  (lspllama--accept
   (lambda (ghost)
     (if (string-match "\\`[ \t\n]*\\(?:\\sw\\|\\s_\\)+\\|\\`[ \t\n]*[^ \t\n]+?\\b\\|\\`[ \t\n]+" ghost)
         (match-string 0 ghost)
       ghost))))

(defun lspllama-dismiss ()
  "Hide the suggestion until the next edit."
  (interactive)
  (setq lspllama--items nil)
  (lspllama--hide))

(defun lspllama--cycle (delta)
  "Show the item DELTA places from the current one."
  (when lspllama--items
    (setq lspllama--index (mod (+ lspllama--index delta) (length lspllama--items)))
    (lspllama--show)))

(defun lspllama-next () "Show the next suggestion." (interactive) (lspllama--cycle 1))
(defun lspllama-previous () "Show the previous suggestion." (interactive) (lspllama--cycle -1))

(defconst lspllama--own-commands
  '(lspllama-accept lspllama-accept-word lspllama-next lspllama-previous lspllama-complete)
  "Commands that keep the suggestion state.")

(defun lspllama--post-command ()
  "Hide a suggestion that no longer fits; schedule the next request."
  (unless (memq this-command lspllama--own-commands)
    (if (and lspllama--items (lspllama--ghost (nth lspllama--index lspllama--items)))
        ;; Typing into the suggestion keeps showing its rest without asking the server.
        (lspllama--show)
      (lspllama--hide)
      (setq lspllama--items nil))
    (when (and lspllama-idle-delay (not lspllama--ghost-shown)
               (memq this-command '(self-insert-command newline delete-backward-char
                                    backward-delete-char-untabify yank)))
      (when lspllama--timer (cancel-timer lspllama--timer))
      (setq lspllama--timer
            (run-with-idle-timer lspllama-idle-delay nil #'lspllama--idle (current-buffer))))))

(defun lspllama--idle (buffer)
  "Ask for a suggestion in BUFFER if it is still current."
  (when (and (buffer-live-p buffer) (eq buffer (current-buffer)))
    (lspllama-complete t)))

(defun lspllama--mode-line ()
  "The mode line text: tokens and checkpoints, or the error while there is one."
  (if lspllama-problem
      (propertize (if (equal (plist-get lspllama-last-status :state) "noModel") " Llama[no model]" " Llama[error]")
                  'face 'lspllama-error-face 'help-echo lspllama-problem)
    (lspllama--mode-line-numbers)))

(defun lspllama--mode-line-numbers ()
  "Context tokens and checkpoints from the server."
  (let ((tokens (plist-get lspllama-last-status :contextTokens))
        (ckpt (plist-get (plist-get lspllama-last-status :checkpoints) :count)))
    (concat " Llama" (if tokens (format "[%s" tokens) "")
            (if (and tokens ckpt) (format "/%s]" ckpt) (if tokens "]" "")))))

;;;###autoload
(define-minor-mode lspllama-mode
  "Show LspLlama's inline completions as ghost text after point.
\\{lspllama-completion-map}"
  :lighter (:eval (lspllama--mode-line))
  (if lspllama-mode
      (progn
        (add-to-list 'emulation-mode-map-alists 'lspllama--emulation-alist)
        (add-hook 'post-command-hook #'lspllama--post-command nil t))
    (remove-hook 'post-command-hook #'lspllama--post-command t)
    (when lspllama--timer (cancel-timer lspllama--timer))
    (lspllama-dismiss)))

(provide 'lspllama)
;;; lspllama.el ends here
