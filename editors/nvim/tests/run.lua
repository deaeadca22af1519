-- Headless test of the kflow Neovim plugin against a real `kflow lsp`.
--   KFLOW_BIN=/path/to/kflow KFLOW_EXAMPLES=../shared/examples nvim --headless -u NONE -l tests/run.lua
-- Prints one line per test and closes with "N passed, N failed, N skipped".
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2)))
local plugin = vim.fs.dirname(here)
vim.opt.runtimepath:prepend(plugin)
vim.cmd('filetype on')
vim.o.swapfile = false
vim.o.shortmess = vim.o.shortmess .. 'F'

local uv = vim.uv or vim.loop
local bin = assert(os.getenv('KFLOW_BIN'), 'KFLOW_BIN is not set')
local examples = assert(os.getenv('KFLOW_EXAMPLES'), 'KFLOW_EXAMPLES is not set')
local TIMEOUT = 15000

local kflow = require('kflow')
kflow.setup({ cmd = { bin, 'lsp' }, settings = { debounceMs = 20 } })

local passed, failed, skipped = 0, 0, 0
local function test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok and err == 'skip' then
    return
  end
  if ok then
    passed = passed + 1
    print('ok   ' .. name)
  else
    failed = failed + 1
    print('FAIL ' .. name .. '\n' .. tostring(err))
  end
end
local function skip(name, reason)
  skipped = skipped + 1
  print('skip ' .. name .. ': ' .. reason)
end

-- A project folder with kflow.toml, copies of the example and flows written here.
local root = vim.fn.tempname()
vim.fn.mkdir(root .. '/flows', 'p')
vim.fn.writefile({}, root .. '/kflow.toml')
local function write(name, lines)
  local path = root .. '/flows/' .. name
  vim.fn.writefile(lines, path)
  return path
end
local broken_src = examples .. '/antipatterns/broken_references.yaml'
local broken_lines = vim.fn.readfile(broken_src)
local broken = write('broken_references.yaml', broken_lines)

local function open(path)
  local existing = vim.fn.bufnr(path)
  if existing > 0 then
    vim.api.nvim_set_current_buf(existing)
    return existing
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end
local function client_of(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'kflow' })[1]
end
local function wait_client(buf)
  assert(vim.wait(TIMEOUT, function()
    local c = client_of(buf)
    return c ~= nil and c.initialized
  end, 20), 'kflow did not attach to ' .. vim.api.nvim_buf_get_name(buf))
  return client_of(buf)
end

test('pure: flow detection and required inputs', function()
  assert(kflow.looks_like_flow({ 'id: a', 'namespace: b' }))
  assert(kflow.looks_like_flow({ '# c', 'namespace: b', 'tasks: []', 'id: a' }))
  assert(not kflow.looks_like_flow({ 'id: a', '  namespace: b' }))
  assert(not kflow.looks_like_flow({ 'name: x', 'version: 3' }))
  local req = kflow.required_inputs({
    'id: f', 'inputs:', '  - id: a', '    type: STRING', '  - id: b', '    defaults: x',
    '  - id: c', '    required: false', '  - id: d', 'tasks: []',
  })
  assert(vim.deep_equal(req, { 'a', 'd' }), vim.inspect(req))
end)

test('attaches to flows only, with root_dir from kflow.toml', function()
  local other = write('compose.yaml', { 'services:', '  web:', '    image: nginx' })
  local buf = open(other)
  vim.wait(500)
  assert(client_of(buf) == nil, 'kflow attached to a YAML file that is not a flow')
  buf = open(broken)
  local client = wait_client(buf)
  assert(vim.fs.normalize(client.config.root_dir) == vim.fs.normalize(root),
    'root_dir ' .. tostring(client.config.root_dir))
end)

test('diagnostics for broken_references.yaml arrive with rule codes', function()
  local buf = open(broken)
  wait_client(buf)
  local expected = {}
  for i, line in ipairs(broken_lines) do
    local rule = line:match('# expect: ([%w%-]+)')
    if rule then
      table.insert(expected, { lnum = i - 1, code = rule })
    end
  end
  assert(#expected >= 5, 'the example has no expectations')
  local function all_there()
    local got = vim.diagnostic.get(buf)
    for _, e in ipairs(expected) do
      local found = false
      for _, d in ipairs(got) do
        if d.code == e.code and d.lnum == e.lnum and d.source == 'kflow' then
          found = true
        end
      end
      if not found then
        return false, e
      end
    end
    return true
  end
  vim.wait(TIMEOUT, all_there, 20)
  local ok, missing = all_there()
  local codes = vim.tbl_map(function(d)
    return (d.lnum + 1) .. ':' .. tostring(d.code)
  end, vim.diagnostic.get(buf))
  assert(ok, 'missing ' .. vim.inspect(missing) .. ', got ' .. table.concat(codes, ' '))
  print('     ' .. #vim.diagnostic.get(buf) .. ' diagnostics: ' .. table.concat(codes, ' '))
end)

test(':KflowExplain shows the rule of the diagnostic under the cursor', function()
  local buf = open(broken)
  local win = vim.api.nvim_get_current_win()
  for i, line in ipairs(broken_lines) do
    if line:find('expect: deprecated%-type') then
      vim.api.nvim_win_set_cursor(win, { i, (line:find('io%.kestra')) - 1 })
    end
  end
  local rules = kflow.rules_at_cursor(buf)
  assert(rules[1] == 'deprecated-type', vim.inspect(rules))
  vim.cmd('KflowExplain')
  local out = vim.api.nvim_get_current_buf()
  local explain_buf
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b):find('kflow://explain/deprecated-type', 1, true) then
      explain_buf = b
    end
  end
  assert(explain_buf, 'no explain buffer (current ' .. vim.api.nvim_buf_get_name(out) .. ')')
  local text = table.concat(vim.api.nvim_buf_get_lines(explain_buf, 0, -1, false), '\n')
  assert(text:find('deprecated', 1, true), text)
  vim.cmd('only')
end)

test('completion after {{ outputs. lists task ids', function()
  local path = write('completion.yaml', {
    'id: completion',
    'namespace: company.team',
    'tasks:',
    '  - id: fetch_users',
    '    type: io.kestra.plugin.core.http.Request',
    '    uri: https://example.com/users',
    '  - id: say_hello',
    '    type: io.kestra.plugin.core.log.Log',
    '    message: hello',
    '  - id: report',
    '    type: io.kestra.plugin.core.log.Log',
    '    message: "{{ outputs. }}"',
  })
  local buf = open(path)
  local client = wait_client(buf)
  local line = 11
  local col = #'    message: "{{ outputs.'
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
    context = { triggerKind = 2, triggerCharacter = '.' },
  }
  local labels = {}
  vim.wait(TIMEOUT, function()
    local res = client:request_sync('textDocument/completion', params, 5000, buf)
    local result = res and res.result
    local items = result and (result.items or result) or {}
    labels = vim.tbl_map(function(i)
      return i.label
    end, items)
    return vim.tbl_contains(labels, 'fetch_users')
  end, 100)
  assert(vim.tbl_contains(labels, 'fetch_users'), 'labels: ' .. vim.inspect(labels))
  assert(vim.tbl_contains(labels, 'say_hello'), 'labels: ' .. vim.inspect(labels))
  print('     completion items: ' .. table.concat(labels, ' '))
end)

test(':KflowGraph shows the Mermaid graph and writes the SVG', function()
  local lines = vim.fn.readfile(examples .. '/clean/parallel_requests.yaml')
  local buf = open(write('parallel_requests.yaml', lines))
  local client = wait_client(buf)
  assert(kflow.supports_command(client, 'kflow.showGraph'), 'kflow.showGraph is not advertised')
  vim.cmd('KflowGraph')
  assert(vim.wait(TIMEOUT, function()
    return kflow.last_graph and kflow.last_graph.done
  end, 20), ':KflowGraph did not finish')
  local g = kflow.last_graph
  assert(g.buf and not g.err, vim.inspect(g))
  local mermaid = vim.api.nvim_buf_get_lines(g.buf, 0, -1, false)
  assert(mermaid[1] == 'flowchart TD', mermaid[1])
  local text = table.concat(mermaid, '\n')
  for _, want in ipairs({ '["users<br/>Request"]', 'subgraph', '-->|"then"|' }) do
    assert(text:find(want, 1, true), want .. ' not in\n' .. text)
  end
  assert(vim.bo[g.buf].filetype == 'mermaid')
  local svg = table.concat(vim.fn.readfile(g.svg), '\n')
  assert(svg:find('^<svg '), svg:sub(1, 80))
  assert(svg:find('data-task-id="users"', 1, true), 'no users node in the SVG')
  local messages = vim.api.nvim_exec2('messages', { output = true }).output
  assert(messages:find(g.svg, 1, true), 'the SVG path was not echoed: ' .. messages)
  print('     ' .. #mermaid .. ' lines of Mermaid, SVG at ' .. g.svg)
  vim.cmd('only')
end)

test(':KflowGraph on a flow without tasks says why', function()
  local buf = open(write('no_tasks.yaml', { 'id: no_tasks', 'namespace: company.team', 'tasks: []' }))
  wait_client(buf)
  kflow.graph({ buf = buf })
  assert(vim.wait(TIMEOUT, function()
    return kflow.last_graph and kflow.last_graph.done
  end, 20), ':KflowGraph did not finish')
  local err = kflow.last_graph.err
  assert(err and err.message == '3:1: the flow has no tasks', vim.inspect(kflow.last_graph))
end)

-- :KflowRun against a local HTTP server, once the server has kflow.runFlow.
local function http_server(body)
  local server = uv.new_tcp()
  server:bind('127.0.0.1', 0)
  server:listen(16, function()
    local sock = uv.new_tcp()
    server:accept(sock)
    local got = ''
    sock:read_start(function(_, chunk)
      if not chunk then
        sock:close()
        return
      end
      got = got .. chunk
      if got:find('\r\n\r\n', 1, true) then
        sock:read_stop()
        sock:write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ' .. #body ..
          '\r\nConnection: close\r\n\r\n' .. body, function()
            sock:close()
          end)
      end
    end)
  end)
  return server, server:getsockname().port
end

do
  local buf = open(broken)
  local client = wait_client(buf)
  if not kflow.supports_command(client, 'kflow.runFlow') then
    skip(':KflowRun on a flow pointed at a local server ends in SUCCESS',
      'the server does not advertise kflow.runFlow in executeCommandProvider.commands yet')
  else
    test(':KflowRun on a flow pointed at a local server ends in SUCCESS', function()
      local server, port = http_server('{"ok":true}')
      local path = write('run_local.yaml', {
        'id: run_local',
        'namespace: company.team',
        'inputs:',
        '  - id: who',
        '    type: STRING',
        'tasks:',
        '  - id: call',
        '    type: io.kestra.plugin.core.http.Request',
        '    uri: http://127.0.0.1:' .. port .. '/ping',
        '  - id: log',
        '    type: io.kestra.plugin.core.log.Log',
        '    message: "hello {{ inputs.who }} {{ outputs.call.code }}"',
      })
      local b = open(path)
      wait_client(b)
      local out = kflow.run({ buf = b, args = { 'who=nvim' }, prompt = false })
      assert(out, ':KflowRun did not start')
      assert(vim.wait(60000, function()
        return kflow.last_run.done
      end, 50), 'the run did not finish')
      local text = table.concat(vim.api.nvim_buf_get_lines(out, 0, -1, false), '\n')
      server:close()
      print((text:gsub('\n', '\n     ')))
      assert(text:find('State: SUCCESS', 1, true), text)
    end)
  end
end

-- :KflowRunOnServer and :KflowDeploy against the Kestra API stand-in test.sh started.
local standin = os.getenv('KFLOW_STANDIN_URL')
test(':KflowRunOnServer streams the run on the Kestra server into a buffer', function()
  assert(standin, 'KFLOW_STANDIN_URL is not set (editors/nvim/test.sh starts the stand-in)')
  local path = write('on_server.yml', {
    'id: on_server',
    'namespace: company.nvim',
    'tasks:',
    '  - id: greet',
    '    type: io.kestra.plugin.core.log.Log',
    '    message: "Hello {{ inputs.who }}"',
    'inputs:',
    '  - id: who',
    '    type: STRING',
  })
  local b = open(path)
  local out = kflow.run_on_server({ buf = b, args = { 'server=' .. standin, 'who=nvim' } })
  assert(out, ':KflowRunOnServer did not start')
  assert(vim.wait(60000, function()
    return kflow.last_remote.done
  end, 50), 'the run did not finish')
  local text = table.concat(vim.api.nvim_buf_get_lines(out, 0, -1, false), '\n')
  print((text:gsub('\n', '\n     ')))
  assert(text:find('  INFO greet: Hello nvim', 1, true), text)
  assert(text:find('execution exec%d+ SUCCESS'), text)
  assert(kflow.last_remote.code == 0, text)
  local deployed = kflow.deploy({ buf = b, args = { 'server=' .. standin } })
  assert(vim.wait(60000, function()
    return kflow.last_deploy.done
  end, 50), 'the deploy did not finish')
  local report = table.concat(vim.api.nvim_buf_get_lines(deployed, 0, -1, false), '\n')
  assert(report:find('unchanged company.nvim.on_server', 1, true), report)
end)

test(':KflowCancel kills a run on the Kestra server', function()
  assert(standin, 'KFLOW_STANDIN_URL is not set (editors/nvim/test.sh starts the stand-in)')
  local path = write('on_server_long.yml', {
    'id: on_server_long',
    'namespace: company.nvim',
    'tasks:',
    '  - id: wait',
    '    type: io.kestra.plugin.core.flow.Sleep',
    '    duration: PT1H',
  })
  local b = open(path)
  local out = kflow.run_on_server({ buf = b, args = { 'server=' .. standin } })
  local function text()
    return table.concat(vim.api.nvim_buf_get_lines(out, 0, -1, false), '\n')
  end
  assert(vim.wait(30000, function()
    return text():find('wait RUNNING', 1, true) ~= nil
  end, 50), 'the task did not start: ' .. text())
  vim.api.nvim_set_current_buf(b)
  vim.cmd('KflowCancel')
  assert(vim.wait(30000, function()
    return kflow.last_remote.done
  end, 50), 'the run did not stop: ' .. text())
  assert(text():find('wait KILLED', 1, true), text())
  assert(text():find('execution exec%d+ KILLED'), text())
  assert(kflow.last_remote.code == 1, text())
end)

for _, c in ipairs(vim.lsp.get_clients({ name = 'kflow' })) do
  c:stop()
end
vim.wait(2000, function()
  return #vim.lsp.get_clients({ name = 'kflow' }) == 0
end)
print(string.format('%d passed, %d failed, %d skipped', passed, failed, skipped))
os.exit(failed == 0 and passed > 0 and 0 or 1)
