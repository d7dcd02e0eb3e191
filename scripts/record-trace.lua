-- Drives Neovim through a git history, as a user would type it, with the lspllama plugin and a
-- server that records what it receives (serve --record-trace): scripts/record-trace.sh runs it.
-- Environment: TRACE_WS (the files at the first commit), TRACE_STEPS (one folder per later commit
-- holding the files it changed, named by a list file), LSPLLAMA (the server: a program or a .dll), TRACE_MODEL,
-- TRACE_OUT (the trace file), TRACE_TYPED (chars typed one by one per step; the rest is pasted).
--
-- Per commit: the first file it changed gets the focus and its hunks are typed, a completion asked
-- after every char; the other files it changed are edited in place without the focus (what a
-- search and replace or a refactoring does to open files). Hunks go bottom to top, so the line
-- numbers of the diff stay valid.
local ws = assert(os.getenv('TRACE_WS'), 'TRACE_WS')
local steps_dir = assert(os.getenv('TRACE_STEPS'), 'TRACE_STEPS')
local out = assert(os.getenv('TRACE_OUT'), 'TRACE_OUT')
local typed_per_step = tonumber(os.getenv('TRACE_TYPED') or '300')
local root = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')

vim.opt.runtimepath:prepend(root .. '/editors/nvim')
vim.o.swapfile = false
vim.o.shortmess = vim.o.shortmess .. 'cF'
vim.cmd('filetype on')

local lspllama = require('lspllama')
lspllama.setup({
  server = { path = assert(os.getenv('LSPLLAMA'), 'LSPLLAMA'), args = { '--record-trace', out } },
  settings = { model = { path = os.getenv('TRACE_MODEL') }, completion = { temperature = 0 } },
  filetypes = { 'cs', 'lua', 'python', 'javascript', 'typescript', 'rust', 'go', 'c', 'cpp', 'sh', 'markdown' },
  -- Completions are asked by this script after each typed char; none come on their own.
  mode = 'popup',
})

local function log(msg)
  io.stderr:write('[record-trace] ' .. msg .. '\n')
end

local function read(path)
  local f = assert(io.open(path, 'rb'))
  local text = f:read('*a')
  f:close()
  return text
end

local function lines_of(text)
  local lines = vim.split(text, '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  return lines
end

local function buf_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
end

local function wait_attached(buf)
  local ok = vim.wait(60000, function()
    local c = lspllama.client(buf)
    return c ~= nil and c.initialized
  end, 20)
  assert(ok, 'the server did not attach to ' .. vim.api.nvim_buf_get_name(buf))
end

local completions = 0
--- Asks for a completion at (row, col), 0-based row and byte col; by default where the window's cursor is.
--- (Typing passes its own position: Normal mode clamps the cursor onto the last char, one before
--- where Insert mode would stand after typing.)
local function complete(buf, row, col)
  local client = lspllama.client(buf)
  if row == nil then
    local pos = vim.api.nvim_win_get_cursor(0)
    row, col = pos[1] - 1, pos[2]
  end
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = row, character = vim.str_utfindex(line, client.offset_encoding, math.min(col, #line)) },
    context = { triggerKind = 2 },
  }
  client:request_sync('textDocument/inlineCompletion', params, 30000, buf)
  completions = completions + 1
end

--- Types `text` at (row, col) one char at a time (0-based row, byte col), asking for a completion after each.
local function type_text(buf, row, col, text)
  for _, ch in ipairs(vim.fn.split(text, '\\zs')) do
    if ch == '\n' then
      vim.api.nvim_buf_set_text(buf, row, col, row, col, { '', '' })
      row, col = row + 1, 0
    else
      vim.api.nvim_buf_set_text(buf, row, col, row, col, { ch })
      col = col + #ch
    end
    vim.api.nvim_win_set_cursor(0, { row + 1, col })
    complete(buf, row, col)
  end
  return row, col
end

--- Turns the buffer into `new` hunk by hunk; `typing` types up to `budget` chars of the new lines.
local function apply(buf, new, typing, budget)
  local old = buf_text(buf)
  local hunks = vim.diff(old, new, { result_type = 'indices', algorithm = 'histogram' })
  local new_lines = lines_of(new)
  local typed = 0
  for h = #hunks, 1, -1 do
    local sa, ca, sb, cb = unpack(hunks[h])
    local first = ca == 0 and sa or sa - 1 -- 0-based line where the hunk's text goes
    vim.api.nvim_buf_set_lines(buf, first, first + ca, false, {})
    local inserted = {}
    for i = sb, sb + cb - 1 do
      table.insert(inserted, new_lines[i])
    end
    if #inserted > 0 then
      if typing and typed < budget then
        vim.api.nvim_buf_set_lines(buf, first, first, false, { '' })
        vim.api.nvim_win_set_cursor(0, { first + 1, 0 })
        local text = table.concat(inserted, '\n')
        local now = text:sub(1, math.max(0, budget - typed))
        -- Whole chars only: cut at a UTF-8 lead byte.
        while #now > 0 and #now < #text and text:byte(#now + 1) >= 0x80 and text:byte(#now + 1) < 0xC0 do
          now = now:sub(1, #now - 1)
        end
        local row, col = type_text(buf, first, 0, now)
        typed = typed + vim.fn.strchars(now)
        local rest = text:sub(#now + 1)
        if #rest > 0 then
          -- The rest as one paste at the cursor.
          local rest_lines = vim.split(rest, '\n', { plain = true })
          vim.api.nvim_buf_set_text(buf, row, col, row, col, rest_lines)
        end
      else
        vim.api.nvim_buf_set_lines(buf, first, first, false, inserted)
      end
    end
  end
  assert(buf_text(buf) == new, 'the buffer does not match the commit')
end

local buffers = {}
local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/' .. path))
  local buf = vim.api.nvim_get_current_buf()
  wait_attached(buf)
  buffers[path] = buf
  return buf
end

for _, path in ipairs(vim.fn.readfile(ws .. '/.files')) do
  open(path)
end
log('opened ' .. vim.tbl_count(buffers) .. ' files')

local steps = vim.fn.sort(vim.fn.readdir(steps_dir))
for _, step in ipairs(steps) do
  local changed = vim.fn.readfile(steps_dir .. '/' .. step .. '/.files')
  for i, path in ipairs(changed) do
    local buf = buffers[path]
    local new = read(steps_dir .. '/' .. step .. '/' .. path)
    if i == 1 then
      vim.api.nvim_set_current_buf(buf)
      apply(buf, new, true, typed_per_step)
    else
      -- Another open file, edited where it is: the focus stays in the typed one.
      local current = vim.api.nvim_get_current_buf()
      apply(buf, new, false, 0)
      vim.api.nvim_set_current_buf(current)
      complete(current)
    end
  end
  log(('commit %s: %d files, %d completions so far'):format(step, #changed, completions))
end

-- Stopping the client ends the server, which closes the trace.
for _, client in ipairs(vim.lsp.get_clients({ name = 'lspllama' })) do
  client:stop()
end
vim.wait(10000, function()
  return #vim.lsp.get_clients({ name = 'lspllama' }) == 0
end, 50)
log(('%d completions recorded in %s'):format(completions, out))
vim.cmd('qa!')
