-- GET /items?search=N with N a random number in 0..9999: a substring test
-- on every row's name (no index can serve it), the CPU-heavy list of
-- bench/fairness.py.
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end

function init(args)
	math.randomseed(os.time() * 1000 + (tonumber(seed) or 0))
end

function request()
	return wrk.format("GET", "/items?search=" .. math.random(0, 9999))
end
