-- GET /items/{id} with id uniformly random in 1..BENCH_ROWS (default 10000).
local rows = tonumber(os.getenv("BENCH_ROWS")) or 10000
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end

function init(args)
	math.randomseed(os.time() * 1000 + (tonumber(seed) or 0))
end

function request()
	return wrk.format("GET", "/items/" .. math.random(1, rows))
end
