-- LspLlama for Neovim: registers the `lspllama` language server and turns on its completions.
--
-- Neovim 0.12+: vim.lsp.config/vim.lsp.enable and vim.lsp.inline_completion (ghost text).
-- Neovim 0.11:  vim.lsp.config/vim.lsp.enable and vim.lsp.completion (the popup menu).
-- Older:        vim.lsp.start (0.8+) or start_client on FileType, completion through omnifunc.
local M = {}

M.name = 'lspllama'

---@class lspllama.Keys
---@field accept string|false        accept the whole suggestion (falls back to the key itself)
---@field accept_word string|false   accept up to the end of the next word
---@field dismiss string|false       hide the suggestion until the next edit
---@field next string|false          show the next suggestion
---@field prev string|false          show the previous suggestion

---@class lspllama.Options
M.defaults = {
  server = {
    -- The `lspllama` executable, or its `lspllama.dll` (run with `dotnet`).
    path = 'lspllama',
    args = {},
  },
  -- The server's settings: sent as initializationOptions and answered to workspace/configuration
  -- for the `lspllama` section. `model.path` is the GGUF model file.
  settings = {},
  -- Filetypes to attach to; nil attaches to every buffer with a filetype.
  filetypes = nil,
  root_markers = { '.git' },
  -- 'inline' (ghost text, Neovim 0.12+), 'popup' (completion menu) or 'auto' (inline when available).
  mode = 'auto',
  ---@type lspllama.Keys
  keys = {
    accept = '<Tab>',
    accept_word = '<C-Right>',
    dismiss = '<C-]>',
    next = '<M-]>',
    prev = '<M-[>',
  },
  -- Called with each `lspllama/statusChanged` payload.
  on_status = nil,
}

M.options = vim.deepcopy(M.defaults)
--- The last status the server reported (`lspllama/statusChanged`), for statuslines.
M.last_status = nil
--- What is wrong, in words, until it is fixed (no server program, a model error); nil when all is well.
M.problem = nil

local function has_inline()
  return vim.lsp.inline_completion ~= nil and vim.fn.has('nvim-0.12') == 1
end

--- The command that starts the server.
function M.cmd(opts)
  opts = opts or M.options
  local path = vim.fn.expand(opts.server.path)
  local cmd = path:lower():match('%.dll$') and { 'dotnet', path } or { path }
  vim.list_extend(cmd, opts.server.args or {})
  return cmd
end

-- Drops empty tables, which would be sent as JSON arrays; an empty result is sent as `{}`.
local function prune(t)
  for k, v in pairs(t) do
    if type(v) == 'table' and not (vim.islist or vim.tbl_islist)(v) then
      t[k] = prune(v)
      if next(t[k]) == nil then
        t[k] = nil
      end
    end
  end
  return t
end

local function expand_settings(settings)
  local s = prune(vim.deepcopy(settings or {}))
  if s.model and type(s.model.path) == 'string' then
    s.model.path = vim.fn.expand(s.model.path)
  end
  return next(s) == nil and vim.empty_dict() or s
end

local function on_status(_, result)
  M.last_status = result
  if type(result) == 'table' then
    if result.state == 'error' or result.state == 'noModel' then
      M.problem = type(result.message) == 'string' and result.message or result.state
    elseif result.state == 'ready' or result.state == 'loading' then
      M.problem = nil
    end
  end
  if M.options.on_status then
    M.options.on_status(result)
  end
  vim.api.nvim_exec_autocmds('User', { pattern = 'LspLlamaStatus', modeline = false, data = result })
end

--- Accepts the shown suggestion up to the end of its next word (leading blanks included).
local function accept_word()
  return vim.lsp.inline_completion.get({
    on_accept = function(item)
      local text = item.insert_text
      if type(text) ~= 'string' then
        return item -- snippets are accepted whole
      end
      -- The item replaces `range` with `insert_text`, which starts with what is already typed.
      local typed = 0
      if item.range then
        local line = vim.api.nvim_buf_get_lines(0, item.range.start.row, item.range.start.row + 1, false)[1] or ''
        local cursor = vim.api.nvim_win_get_cursor(0)
        if item.range.start.row == cursor[1] - 1 then
          typed = math.max(0, cursor[2] - item.range.start.col)
          typed = math.min(typed, #line - item.range.start.col)
        end
      end
      local rest = text:sub(typed + 1)
      local word = rest:match('^%s*[%w_]+') or rest:match('^%s*[^%w_%s]+') or rest:match('^%s+') or rest
      item.insert_text = text:sub(1, typed) .. word
      return item
    end,
  })
end

local function set_inline_keys(bufnr)
  local keys = M.options.keys
  local function map(lhs, fn, desc, fallback)
    if not lhs then
      return
    end
    vim.keymap.set('i', lhs, function()
      if fn() then
        return ''
      end
      return fallback and lhs or ''
    end, { buffer = bufnr, expr = true, replace_keycodes = true, desc = desc })
  end
  map(keys.accept, function() return vim.lsp.inline_completion.get() end, 'LspLlama: accept suggestion', true)
  map(keys.accept_word, accept_word, 'LspLlama: accept next word', true)
  map(keys.dismiss, function() return M.dismiss(bufnr) end, 'LspLlama: dismiss suggestion', true)
  map(keys.next, function()
    vim.lsp.inline_completion.select({ bufnr = bufnr, count = 1, wrap = true })
    return true
  end, 'LspLlama: next suggestion')
  map(keys.prev, function()
    vim.lsp.inline_completion.select({ bufnr = bufnr, count = -1, wrap = true })
    return true
  end, 'LspLlama: previous suggestion')
end

--- Hides the current suggestion; typing asks again. Returns whether one was shown.
function M.dismiss(bufnr)
  bufnr = bufnr == nil and vim.api.nvim_get_current_buf() or bufnr
  local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
  local shown = ns ~= nil and #vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { limit = 1 }) > 0
  -- Neovim has no public "dismiss": turning the feature off and on again drops the candidate.
  vim.lsp.inline_completion.enable(false, { bufnr = bufnr })
  vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  return shown
end

local function on_attach(client, bufnr)
  local mode = M.options.mode
  if has_inline() and mode ~= 'popup' then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
    set_inline_keys(bufnr)
  elseif vim.lsp.completion and vim.lsp.completion.enable then
    vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = true })
  else
    vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
  end
end

--- The configuration given to vim.lsp.config (or vim.lsp.start on older versions).
function M.lsp_config(opts)
  opts = opts or M.options
  local settings = expand_settings(opts.settings)
  return {
    name = M.name,
    cmd = M.cmd(opts),
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    init_options = settings,
    settings = { lspllama = settings },
    handlers = { ['lspllama/statusChanged'] = on_status },
    on_attach = on_attach,
  }
end

--- Asks the server for its copy of a buffer (`lspllama/documentText`); returns {text, version}.
function M.document_text(bufnr, timeout_ms)
  bufnr = bufnr == nil and vim.api.nvim_get_current_buf() or bufnr
  local client = M.client(bufnr)
  if not client then
    return nil, 'lspllama is not attached to buffer ' .. bufnr
  end
  local res, err = client:request_sync('lspllama/documentText',
    { uri = vim.uri_from_bufnr(bufnr) }, timeout_ms or 5000, bufnr)
  if not res then
    return nil, err
  end
  if res.err then
    return nil, res.err.message
  end
  return res.result
end

function M.client(bufnr)
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = M.name, bufnr = bufnr })
  return clients[1]
end

--- Why the server command cannot run, or nil when it can.
function M.command_problem(opts)
  local cmd = M.cmd(opts)
  if vim.fn.executable(cmd[1]) ~= 1 then
    if cmd[1] == 'dotnet' then
      return '`dotnet` is not on PATH (a .dll server needs the .NET runtime)'
    end
    return ('the server command `%s` was not found%s. Set server.path in require(\'lspllama\').setup() to its absolute path '
      .. '(for example ~/.dotnet/tools/lspllama) or add its folder to PATH'):format(cmd[1], cmd[1]:find('/') and '' or ' on PATH')
  end
  if cmd[1] == 'dotnet' and cmd[2] and vim.fn.filereadable(cmd[2]) ~= 1 then
    return ('the server %s does not exist: check server.path'):format(cmd[2])
  end
  return nil
end

--- A short text for a statusline: context tokens, checkpoints and last latency; the error while there is one.
function M.statusline()
  if M.problem then
    local s = M.last_status
    return (s and s.state == 'noModel') and 'LspLlama · no model' or 'LspLlama · error'
  end
  local s = M.last_status
  if not s then
    return M.client() and 'LspLlama' or ''
  end
  local parts = { 'LspLlama' }
  if s.contextTokens then
    table.insert(parts, s.contextTokens .. ' tok')
  end
  if type(s.checkpoints) == 'table' and s.checkpoints.count then
    table.insert(parts, s.checkpoints.count .. ' ckpt')
  end
  local gen = type(s.lastGeneration) == 'table' and s.lastGeneration.ms or nil
  local sync = type(s.lastSync) == 'table' and s.lastSync.ms or nil
  if gen or sync then
    table.insert(parts, math.floor((gen or 0) + (sync or 0)) .. ' ms')
  end
  return table.concat(parts, ' · ')
end

local function register_legacy(config)
  local group = vim.api.nvim_create_augroup('lspllama', { clear = true })
  local function attach(args)
    local ft = vim.bo[args.buf].filetype
    if vim.bo[args.buf].buftype ~= '' or ft == '' then
      return
    end
    if config.filetypes and not vim.tbl_contains(config.filetypes, ft) then
      return
    end
    local name = vim.api.nvim_buf_get_name(args.buf)
    local root = vim.fs and vim.fs.find and vim.fs.find(config.root_markers, { path = name, upward = true })[1]
    local c = vim.tbl_extend('force', config, { root_dir = root and vim.fs.dirname(root) or vim.fn.getcwd() })
    c.filetypes, c.root_markers = nil, nil
    if vim.lsp.start then
      vim.lsp.start(c, { bufnr = args.buf })
    else -- 0.7
      M._legacy_id = M._legacy_id or vim.lsp.start_client(c)
      vim.lsp.buf_attach_client(args.buf, M._legacy_id)
    end
  end
  vim.api.nvim_create_autocmd('FileType', { group = group, callback = attach })
end

local function user_commands()
  vim.api.nvim_create_user_command('LspLlamaRestart', function()
    for _, client in ipairs((vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = M.name })) do
      client:stop(true)
    end
    vim.defer_fn(function() vim.cmd('edit') end, 200) -- re-fires FileType, which starts a new client
  end, { desc = 'Restart the LspLlama server' })
  vim.api.nvim_create_user_command('LspLlamaLog', function()
    vim.cmd('tabnew ' .. vim.fn.fnameescape((vim.lsp.log and vim.lsp.log.get_filename or vim.lsp.get_log_path)()))
  end, { desc = 'Open the LSP log (the server writes to it through stderr)' })
  vim.api.nvim_create_user_command('LspLlamaStatus', function()
    print(table.concat(M.status_lines(), '\n'))
  end, { desc = 'Show the last status from the LspLlama server' })
  vim.api.nvim_create_user_command('LspLlamaDoctor', function()
    vim.cmd('checkhealth lspllama')
  end, { desc = 'Check the LspLlama set-up (:checkhealth lspllama)' })
end

--- The last status in words, one fact per line (:LspLlamaStatus).
function M.status_lines()
  local s = M.last_status
  if not s then
    return { M.problem and ('LspLlama: ' .. M.problem) or 'LspLlama: no status yet' }
  end
  local lines = { 'LspLlama: ' .. tostring(s.state) }
  if type(s.message) == 'string' then
    table.insert(lines, 'message: ' .. s.message)
  end
  if type(s.model) == 'table' then
    table.insert(lines, ('model: %s (%s)'):format(s.model.path, s.model.architecture))
  end
  if type(s.memoryKind) == 'string' then
    table.insert(lines, ('memory: %s, checkpoint policy %s'):format(s.memoryKind, tostring(s.policy)))
  end
  if s.contextTokens then
    table.insert(lines, ('context: %d of %d tokens'):format(s.contextTokens, s.contextSize or 0))
  end
  if type(s.checkpoints) == 'table' then
    table.insert(lines, ('checkpoints: %d (%d KiB)'):format(s.checkpoints.count or 0, math.ceil((s.checkpoints.bytes or 0) / 1024)))
  end
  if type(s.lastSync) == 'table' then
    table.insert(lines, ('last sync: decoded %d tokens (ideal %d) in %d ms'):format(
      s.lastSync.decodedTokens or 0, s.lastSync.idealTokens or 0, math.floor(s.lastSync.ms or 0)))
  end
  return lines
end

---@param opts? lspllama.Options
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  -- Checked at start: Neovim itself says nothing visible when the program is missing.
  M.problem = M.command_problem(M.options)
  if M.problem then
    vim.notify('LspLlama: ' .. M.problem, vim.log.levels.ERROR)
  end
  local config = M.lsp_config(M.options)
  if vim.lsp.config and vim.lsp.enable then
    config.name = nil
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
  else
    register_legacy(config)
  end
  user_commands()
end

return M
