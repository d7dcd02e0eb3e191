-- :checkhealth lspllama — the server command, then what `lspllama doctor` finds (model,
-- vocabulary, memory kind, store folder, log level) for this setup's settings.
local M = {}

function M.check()
  local lspllama = require('lspllama')
  local health = vim.health
  health.start('LspLlama server')
  local problem = lspllama.command_problem()
  local cmd = lspllama.cmd()
  if problem then
    health.error(problem)
    return
  end
  health.ok('server command: ' .. table.concat(cmd, ' ') .. ' (' .. vim.fn.exepath(cmd[1]) .. ')')
  if not vim.system then
    health.warn('Neovim 0.10+ runs `lspllama doctor` here; run it in a shell')
    return
  end
  local args = vim.list_extend(vim.deepcopy(cmd), { 'doctor' })
  local settings = lspllama.options.settings or {}
  if type(settings.model) == 'table' and type(settings.model.path) == 'string' then
    vim.list_extend(args, { '--model', vim.fn.expand(settings.model.path) })
  end
  local ok, result = pcall(function() return vim.system(args, { text = true }):wait(120000) end)
  if not ok then
    health.error('could not run ' .. table.concat(args, ' ') .. ': ' .. tostring(result))
    return
  end
  health.start('lspllama doctor')
  -- Each line reads "ok: …", "warning: …" or "problem: …".
  for line in ((result.stdout or '') .. (result.stderr or '')):gmatch('[^\n]+') do
    local kind, text = line:match('^(%a+): (.*)$')
    if kind == 'ok' then
      health.ok(text)
    elseif kind == 'warning' then
      health.warn(text)
    elseif kind == 'problem' then
      health.error(text)
    else
      health.info(line)
    end
  end
  if result.code ~= 0 then
    health.error(('lspllama doctor exited with %d'):format(result.code))
  end
end

return M
