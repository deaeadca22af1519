-- kflow for Neovim: starts `kflow lsp` on YAML buffers that are Kestra flows, and adds
-- :KflowRun, :KflowCancel, :KflowExplain, :KflowGraph, and :KflowRunOnServer, :KflowDeploy
-- for a Kestra server.
--
--   require('kflow').setup({
--     cmd = { 'kflow', 'lsp' },          -- how to start the server
--     server = 'prod',                   -- a Kestra server: URL or [server.NAME] of kflow.toml
--     settings = { debounceMs = 100 },   -- sent as initializationOptions and settings
--     flow_globs = { '**/flows/**' },    -- YAML files taken as flows even without id/namespace
--   })
--
-- Neovim >= 0.11 uses vim.lsp.config / vim.lsp.enable; 0.8 - 0.10 use vim.lsp.start.
local M = {}

local NAME = 'kflow'

M.config = {
  cmd = { 'kflow', 'lsp' },
  settings = {},
  flow_globs = {},
  root_markers = { 'kflow.toml', '.git' },
  codelens = true,
  server = nil,
}

local function has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

local uv = vim.uv or vim.loop

---------------------------------------------------------------------------------------------
-- Which buffers are flows

--- True when `lines` (a list of strings) hold a top-level `id:` and `namespace:`.
function M.looks_like_flow(lines)
  local id, ns = false, false
  for _, line in ipairs(lines) do
    if line:match('^id:%s*[^%s#]') then
      id = true
    elseif line:match('^namespace:%s*[^%s#]') then
      ns = true
    end
    if id and ns then
      return true
    end
  end
  return false
end

local function glob_matches(path)
  for _, glob in ipairs(M.config.flow_globs or {}) do
    local pat = vim.fn.glob2regpat(glob)
    if vim.fn.match(path, pat) >= 0 then
      return true
    end
  end
  return false
end

--- True when buffer `buf` is a YAML file that kflow should serve.
function M.is_flow(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if not vim.api.nvim_buf_is_valid(buf) then
    return false
  end
  local ft = vim.bo[buf].filetype
  if ft ~= 'yaml' then
    return false
  end
  local path = vim.api.nvim_buf_get_name(buf)
  if path ~= '' and glob_matches(path) then
    return true
  end
  local count = math.min(vim.api.nvim_buf_line_count(buf), 2000)
  return M.looks_like_flow(vim.api.nvim_buf_get_lines(buf, 0, count, false))
end

--- The directory holding `kflow.toml` or `.git` above the buffer's file, else its own folder.
function M.root_dir(buf)
  local path = vim.api.nvim_buf_get_name(buf)
  local start = path ~= '' and vim.fs.dirname(path) or uv.cwd()
  local found = vim.fs.find(M.config.root_markers, { upward = true, path = start })[1]
  return found and vim.fs.dirname(found) or start
end

---------------------------------------------------------------------------------------------
-- Runs

local runs = {} -- uri -> { buf = scratch buffer, token = progress token, client_id = id }

local function scratch(title)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, title)
  vim.cmd('botright split')
  vim.api.nvim_win_set_buf(0, buf)
  vim.cmd('wincmd p')
  return buf
end

local function append(buf, lines)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  if type(lines) == 'string' then
    lines = vim.split(lines, '\n', { plain = true })
  end
  local last = vim.api.nvim_buf_line_count(buf)
  local first = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
  if last == 1 and first == '' then
    vim.api.nvim_buf_set_lines(buf, 0, 1, false, lines)
  else
    vim.api.nvim_buf_set_lines(buf, last, last, false, lines)
  end
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

local function active_run(client_id, token)
  for uri, run in pairs(runs) do
    if run.client_id == client_id and (token == nil or run.token == token) then
      return uri, run
    end
  end
end

local function on_progress(err, result, ctx, config)
  local default = vim.lsp.handlers['$/progress']
  if default then
    pcall(default, err, result, ctx, config)
  end
  local _, run = active_run(ctx.client_id, result and result.token)
  if run and result and result.value then
    local v = result.value
    local text = table.concat(vim.tbl_filter(function(s)
      return s ~= nil and s ~= ''
    end, { v.title, v.message, v.percentage and (v.percentage .. '%') or nil }), ' ')
    if text ~= '' then
      append(run.buf, '[' .. (v.kind or 'progress') .. '] ' .. text)
    end
  end
end

local function on_log(err, result, ctx, config)
  local _, run = active_run(ctx.client_id)
  if run and result then
    append(run.buf, result.message or '')
    return
  end
  local default = vim.lsp.handlers['window/logMessage']
  if default then
    return default(err, result, ctx, config)
  end
end

local function client_for(buf)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = buf, name = NAME })[1]
end

--- True when the server advertises `command` in executeCommandProvider.commands.
function M.supports_command(client, command)
  local caps = client and client.server_capabilities or {}
  local provider = caps.executeCommandProvider
  return provider ~= nil and vim.tbl_contains(provider.commands or {}, command)
end

--- The inputs of the flow in `lines` that have no default and are required.
function M.required_inputs(lines)
  local required, current, in_inputs = {}, nil, false
  local function close()
    if current and current.required and not current.has_default then
      table.insert(required, current.id)
    end
    current = nil
  end
  for _, line in ipairs(lines) do
    if line:match('^inputs:') then
      in_inputs = true
    elseif line:match('^%S') then
      close()
      in_inputs = false
    elseif in_inputs then
      local id = line:match('^%s*%-%s+id:%s*["\']?([%w_%-%.]+)')
      if id then
        close()
        current = { id = id, required = true, has_default = false }
      elseif current then
        if line:match('^%s+defaults?:') then
          current.has_default = true
        elseif line:match('^%s+required:%s*false') then
          current.required = false
        end
      end
    end
  end
  close()
  return required
end

local function format_result(result)
  local lines = { '', 'State: ' .. tostring(result.state or '?') }
  if result.id then
    table.insert(lines, 'Execution: ' .. tostring(result.id))
  end
  if result.outputs ~= nil and next(result.outputs) ~= nil then
    table.insert(lines, 'Outputs:')
    for _, l in ipairs(vim.split(vim.json.encode(result.outputs), '\n', { plain = true })) do
      table.insert(lines, '  ' .. l)
    end
  end
  return lines
end

--- :KflowRun [key=value ...]: runs the current flow through the server's `kflow.runFlow`.
function M.run(opts)
  opts = opts or {}
  local buf = opts.buf or vim.api.nvim_get_current_buf()
  local client = client_for(buf)
  if not client then
    vim.notify('kflow: no kflow language server attached to this buffer', vim.log.levels.ERROR)
    return
  end
  if not M.supports_command(client, 'kflow.runFlow') then
    vim.notify('kflow: this kflow server cannot run flows (no kflow.runFlow command)', vim.log.levels.ERROR)
    return
  end
  local uri = vim.uri_from_bufnr(buf)
  if runs[uri] then
    vim.notify('kflow: this flow is already running (:KflowCancel stops it)', vim.log.levels.WARN)
    return
  end
  local inputs = {}
  for _, arg in ipairs(opts.args or {}) do
    local k, v = arg:match('^([^=]+)=(.*)$')
    if k then
      inputs[k] = v
    end
  end
  for _, id in ipairs(M.required_inputs(vim.api.nvim_buf_get_lines(buf, 0, -1, false))) do
    if inputs[id] == nil then
      if opts.prompt == false then
        vim.notify('kflow: missing input ' .. id, vim.log.levels.ERROR)
        return
      end
      local value = vim.fn.input('kflow input ' .. id .. ': ')
      inputs[id] = value
    end
  end
  -- Unsaved edits are sent to the server as they are; the server runs what it holds.
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':t')
  local out = scratch('kflow://run/' .. name .. '/' .. uv.hrtime())
  local token = 'kflow-run-' .. uv.hrtime()
  runs[uri] = { buf = out, token = token, client_id = client.id }
  append(out, 'Running ' .. name .. ' …')
  M.last_run = { buf = out, done = false }
  local params = {
    command = 'kflow.runFlow',
    arguments = { { uri = uri, inputs = next(inputs) == nil and vim.empty_dict() or inputs } },
    workDoneToken = token,
  }
  local function done(err, result)
    runs[uri] = nil
    if err then
      append(out, { '', 'Error: ' .. (err.message or vim.inspect(err)) })
    elseif type(result) == 'table' then
      append(out, format_result(result))
    else
      append(out, { '', 'State: ?' })
    end
    M.last_run.done = true
    M.last_run.result = result
    M.last_run.err = err
  end
  if has('0.11') then
    client:request('workspace/executeCommand', params, done, buf)
  else
    client.request('workspace/executeCommand', params, done, buf)
  end
  return out
end

---------------------------------------------------------------------------------------------
-- On a Kestra server: `kflow run --server` and `kflow deploy` as jobs, their output streamed
-- into a buffer. Credentials come from the environment Neovim was started in
-- (KESTRA_USERNAME / KESTRA_PASSWORD or KESTRA_API_TOKEN), never from the configuration.

--- Starts `kflow <args>` for the file of `buf` (saved first) and streams its output into a new
--- scratch buffer; `state` (a table) gets `done` and `code` when it exits.
local function cli_job(buf, title, args, state)
  if vim.bo[buf].modified then
    vim.api.nvim_buf_call(buf, function()
      vim.cmd('silent write')
    end)
  end
  local file = vim.api.nvim_buf_get_name(buf)
  local out = scratch(title)
  local cmd = { M.config.cmd[1] }
  vim.list_extend(cmd, args)
  state.buf, state.done = out, false
  local function on_lines(_, data)
    if data and #data > 0 then
      -- A job's last element is a partial line (often empty).
      local lines = vim.tbl_filter(function(l)
        return l ~= ''
      end, data)
      if #lines > 0 then
        append(out, lines)
      end
    end
  end
  local job = vim.fn.jobstart(cmd, {
    cwd = vim.fs.dirname(file),
    env = { NO_COLOR = '1' },
    stdout_buffered = false,
    on_stdout = on_lines,
    on_stderr = on_lines,
    on_exit = function(_, code)
      append(out, { '', 'Exit: ' .. code })
      state.code, state.done = code, true
    end,
  })
  if job <= 0 then
    append(out, 'Error: cannot start ' .. cmd[1])
    state.done = true
  end
  state.job = job
  return out
end

local function server_of(opts)
  local server = opts.server or M.config.server
  if not server or server == '' then
    vim.notify('kflow: no Kestra server (setup({ server = ... }) or :KflowRunOnServer server=URL)', vim.log.levels.ERROR)
  end
  return server
end

--- :KflowRunOnServer [server=NAME|URL] [key=value ...]: deploys the flow and runs it on the
--- Kestra server, its progress and logs streamed into a buffer. :KflowCancel in the flow's
--- buffer stops it: kflow gets SIGINT and kills the execution on the server.
function M.run_on_server(opts)
  opts = opts or {}
  local buf = opts.buf or vim.api.nvim_get_current_buf()
  local args = {}
  for _, arg in ipairs(opts.args or {}) do
    local s = arg:match('^server=(.+)$')
    if s then
      opts.server = s
    else
      vim.list_extend(args, { '--input', arg })
    end
  end
  local server = server_of(opts)
  if not server then
    return
  end
  local file = vim.api.nvim_buf_get_name(buf)
  local cli = { 'run', file, '--server', server, '--progress', 'plain' }
  vim.list_extend(cli, args)
  M.last_remote = { source = buf }
  return cli_job(buf, 'kflow://server-run/' .. vim.fn.fnamemodify(file, ':t') .. '/' .. uv.hrtime(), cli, M.last_remote)
end

--- :KflowDeploy [server=NAME|URL]: `kflow deploy` of the current flow file.
function M.deploy(opts)
  opts = opts or {}
  local buf = opts.buf or vim.api.nvim_get_current_buf()
  for _, arg in ipairs(opts.args or {}) do
    opts.server = arg:match('^server=(.+)$') or opts.server
  end
  local server = server_of(opts)
  if not server then
    return
  end
  local file = vim.api.nvim_buf_get_name(buf)
  M.last_deploy = {}
  return cli_job(buf, 'kflow://deploy/' .. uv.hrtime(), { 'deploy', file, '--server', server }, M.last_deploy)
end

--- :KflowCancel: asks the server to stop the current buffer's run.
function M.cancel(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  local remote = M.last_remote
  if remote and remote.source == buf and not remote.done and remote.job and remote.job > 0 then
    local pid = vim.fn.jobpid(remote.job)
    uv.kill(pid, 'sigint')
    return
  end
  local client = client_for(buf)
  if not client or not M.supports_command(client, 'kflow.cancelRun') then
    vim.notify('kflow: the server cannot cancel runs (no kflow.cancelRun command)', vim.log.levels.ERROR)
    return
  end
  local params = { command = 'kflow.cancelRun', arguments = { { uri = vim.uri_from_bufnr(buf) } } }
  local cb = function(err)
    if err then
      vim.notify('kflow: cancel failed: ' .. (err.message or ''), vim.log.levels.ERROR)
    end
  end
  if has('0.11') then
    client:request('workspace/executeCommand', params, cb, buf)
  else
    client.request('workspace/executeCommand', params, cb, buf)
  end
end

---------------------------------------------------------------------------------------------
-- Graph

--- :KflowGraph: asks the server for the flow's graph (`kflow.showGraph`), shows its Mermaid text
--- in a scratch buffer and writes the SVG picture to a temporary file, whose path it echoes.
function M.graph(opts)
  opts = opts or {}
  local buf = opts.buf or vim.api.nvim_get_current_buf()
  local client = client_for(buf)
  if not client then
    vim.notify('kflow: no kflow language server attached to this buffer', vim.log.levels.ERROR)
    return
  end
  if not M.supports_command(client, 'kflow.showGraph') then
    vim.notify('kflow: this kflow server cannot draw flows (no kflow.showGraph command)', vim.log.levels.ERROR)
    return
  end
  M.last_graph = { done = false }
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':t:r')
  local params = { command = 'kflow.showGraph', arguments = { { uri = vim.uri_from_bufnr(buf) } } }
  local function done(err, result)
    if err or type(result) ~= 'table' then
      local why = err and (err.message or vim.inspect(err)) or 'no graph'
      vim.notify('kflow: cannot draw the flow: ' .. why, vim.log.levels.ERROR)
      M.last_graph = { done = true, err = err }
      return
    end
    -- Binary mode: the lines joined by "\n", exactly the bytes the server sent.
    local svg = vim.fn.tempname() .. '-' .. name .. '.svg'
    vim.fn.writefile(vim.split(result.svg, '\n', { plain = true }), svg, 'b')
    local out = scratch('kflow://graph/' .. name .. '/' .. uv.hrtime())
    vim.bo[out].filetype = 'mermaid'
    append(out, vim.split((result.mermaid:gsub('\n$', '')), '\n', { plain = true }))
    vim.api.nvim_echo({ { 'kflow: SVG written to ' .. svg } }, true, {})
    M.last_graph = { done = true, buf = out, svg = svg }
  end
  if has('0.11') then
    client:request('workspace/executeCommand', params, done, buf)
  else
    client.request('workspace/executeCommand', params, done, buf)
  end
end

---------------------------------------------------------------------------------------------
-- Explain

local function diagnostic_code(d)
  if d.code then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

--- The kflow rule ids of the diagnostics under the cursor (or on its line).
function M.rules_at_cursor(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  local pos = vim.api.nvim_win_get_cursor(0)
  local row, col = pos[1] - 1, pos[2]
  local on_line, under = {}, {}
  for _, d in ipairs(vim.diagnostic.get(buf, { lnum = row })) do
    local code = diagnostic_code(d)
    if code and (d.source == nil or d.source == 'kflow') then
      table.insert(on_line, code)
      local end_col = (d.end_lnum and d.end_lnum > row) and math.huge or (d.end_col or d.col)
      if col >= d.col and col <= end_col then
        table.insert(under, code)
      end
    end
  end
  return #under > 0 and under or on_line
end

--- :KflowExplain [rule]: shows `kflow explain RULE` for the diagnostic under the cursor.
function M.explain(rule)
  if rule == nil or rule == '' then
    rule = M.rules_at_cursor()[1]
  end
  if not rule then
    vim.notify('kflow: no kflow diagnostic under the cursor', vim.log.levels.WARN)
    return
  end
  local exe = M.config.cmd[1]
  local out = vim.fn.systemlist({ exe, 'explain', rule })
  if vim.v.shell_error ~= 0 then
    vim.notify('kflow explain ' .. rule .. ' failed: ' .. table.concat(out, '\n'), vim.log.levels.ERROR)
    return
  end
  local buf = scratch('kflow://explain/' .. rule)
  vim.bo[buf].filetype = 'markdown'
  append(buf, out)
  return buf
end

---------------------------------------------------------------------------------------------
-- Set-up

local function on_attach(client, buf)
  if not M.config.codelens then
    return
  end
  local caps = client.server_capabilities or {}
  if not caps.codeLensProvider then
    return
  end
  local group = vim.api.nvim_create_augroup('kflow_codelens_' .. buf, { clear = true })
  local refresh = function()
    if has('0.10') then
      vim.lsp.codelens.refresh({ bufnr = buf })
    else
      vim.lsp.codelens.refresh()
    end
  end
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost', 'CursorHold' }, {
    group = group,
    buffer = buf,
    callback = refresh,
  })
  refresh()
end

local function client_config()
  local c = M.config
  return {
    name = NAME,
    cmd = c.cmd,
    init_options = c.settings,
    settings = { kflow = c.settings },
    handlers = { ['$/progress'] = on_progress, ['window/logMessage'] = on_log },
    on_attach = function(client, buf)
      on_attach(client, buf)
      if c.on_attach then
        c.on_attach(client, buf)
      end
    end,
  }
end

local function commands()
  vim.api.nvim_create_user_command('KflowRun', function(o)
    M.run({ args = o.fargs })
  end, { nargs = '*', desc = 'kflow: run the current flow (key=value inputs)' })
  vim.api.nvim_create_user_command('KflowCancel', function()
    M.cancel()
  end, { desc = 'kflow: cancel the current flow run' })
  vim.api.nvim_create_user_command('KflowExplain', function(o)
    M.explain(o.args)
  end, { nargs = '?', desc = 'kflow: explain the rule of the diagnostic under the cursor' })
  vim.api.nvim_create_user_command('KflowRunOnServer', function(o)
    M.run_on_server({ args = o.fargs })
  end, { nargs = '*', desc = 'kflow: run the current flow on a Kestra server ([server=S] key=value inputs)' })
  vim.api.nvim_create_user_command('KflowDeploy', function(o)
    M.deploy({ args = o.fargs })
  end, { nargs = '*', desc = 'kflow: deploy the current flow to a Kestra server ([server=S])' })
  vim.api.nvim_create_user_command('KflowGraph', function()
    M.graph()
  end, { desc = 'kflow: the flow as a Mermaid graph (and an SVG file)' })
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', M.config, opts or {})
  commands()
  local cfg = client_config()
  if has('0.11') and vim.lsp.config and vim.lsp.enable then
    cfg.filetypes = { 'yaml' }
    -- root_dir as a function: the server starts only for buffers that are flows.
    cfg.root_dir = function(buf, on_dir)
      if M.is_flow(buf) then
        on_dir(M.root_dir(buf))
      end
    end
    vim.lsp.config(NAME, cfg)
    vim.lsp.enable(NAME)
  else
    local group = vim.api.nvim_create_augroup('kflow_start', { clear = true })
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = 'yaml',
      callback = function(args)
        if M.is_flow(args.buf) then
          local start = vim.tbl_extend('force', cfg, { root_dir = M.root_dir(args.buf) })
          vim.lsp.start(start, { bufnr = args.buf })
        end
      end,
    })
  end
end

return M
