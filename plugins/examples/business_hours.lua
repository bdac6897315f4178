-- business_hours: the condition key corp:BusinessHours (Bool) is true from
-- 09:00 to 17:00 UTC, Monday to Friday. The time is the request's
-- aws:EpochTime or aws:CurrentTime when it carries one (replays, tests),
-- else the clock.

local OPEN, CLOSE = 9, 17 -- hours, UTC

-- days_from_civil: days since 1970-01-01 of a proleptic Gregorian date
-- (H. Hinnant's algorithm), so no time zone gets involved.
local function days_from_civil(y, m, d)
	if m <= 2 then
		y = y - 1
	end
	local era = y // 400
	local yoe = y - era * 400
	local doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
	local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
	return era * 146097 + doe - 719468
end

local function now(req)
	local e = req:ctx("aws:EpochTime")
	if e then
		return tonumber(e)
	end
	local t = req:ctx("aws:CurrentTime")
	if t then
		local y, mo, d, h, mi, s =
		    t:match("^(%d%d%d%d)-(%d%d)-(%d%d)T(%d%d):(%d%d):(%d%d)")
		if not y then
			error("aws:CurrentTime is not an ISO 8601 UTC time: " .. t)
		end
		return days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) *
		    86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
	end
	return os.time()
end

return {
	keys = {
		["corp:BusinessHours"] = function(req)
			local t = now(req)
			local day = t // 86400
			local wday = (day + 4) % 7 -- 1970-01-01 was a Thursday; 0 is Sunday
			local hour = (t % 86400) // 3600
			return wday >= 1 and wday <= 5 and hour >= OPEN and hour < CLOSE
		end,
	},
}
