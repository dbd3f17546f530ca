-- generic: REQS=file of lines "METHOD\tPATH\tHDR1:v1|HDR2:v2\tBODY"; ORDER=seq (each once, e.g. auth codes) or rand
local reqs = {}
local order = os.getenv("ORDER") or "rand"
local idx = 0
local function split(s, sep) local t = {} for p in (s..sep):gmatch("(.-)"..sep) do t[#t+1] = p end return t end
init = function(args)
  for line in io.lines(os.getenv("REQS")) do
    local f = split(line, "\t")
    local h = {}
    if f[3] ~= "" then for _, kv in ipairs(split(f[3], "|")) do local k, v = kv:match("^([^:]+):(.*)$"); h[k] = v end end
    reqs[#reqs+1] = wrk.format(f[1], f[2], h, f[4])
  end
  math.randomseed(os.time())
end
request = function()
  if order == "seq" then idx = idx + 1; if idx > #reqs then idx = 1 end return reqs[idx] end
  return reqs[math.random(#reqs)]
end
