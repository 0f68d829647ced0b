-- GET /items?category=cat-N with N uniformly random in 0..499: one category
-- of 500, i.e. 20 rows of the 10,000-row table (an indexed equality filter
-- plus the COUNT of page-number pagination).
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end

function init(args)
	math.randomseed(os.time() * 1000 + (tonumber(seed) or 0))
end

function request()
	return wrk.format("GET", "/items?category=cat-" .. math.random(0, 499))
end
