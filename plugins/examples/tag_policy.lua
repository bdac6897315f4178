-- tag_policy: the organization's tag conventions, checked on every request
-- that sets tags (aws:RequestTag/* or aws:TagKeys: CreateTags, TagUser,
-- PutObjectTagging, a create with tags...). A violation denies; the reason
-- starts with the rule's name.

-- Rules. ALLOWED_KEYS = nil allows any (lowercase) key.
local ALLOWED_KEYS = nil
local ALLOWED_VALUES = {
	env = {prod = true, staging = true, dev = true},
}

local function list(set)
	local v = {}
	for k in pairs(set) do
		v[#v + 1] = k
	end
	table.sort(v)
	return table.concat(v, ", ")
end

return {
	check = function(req)
		local tags = req:request_tags()
		-- Sorted, so that the same request always names the same rule.
		local keys = {}
		for k in pairs(tags) do
			keys[#keys + 1] = k
		end
		table.sort(keys)
		for _, k in ipairs(keys) do
			local v = tags[k]
			if k:find("%u") then
				return false, ("lowercase-keys: tag key %q must be " ..
				    "lowercase"):format(k)
			end
			if ALLOWED_KEYS and not ALLOWED_KEYS[k] then
				return false, ("allowed-keys: tag key %q is not one " ..
				    "of %s"):format(k, list(ALLOWED_KEYS))
			end
			local allowed = ALLOWED_VALUES[k]
			-- false: the key is in aws:TagKeys but its value is not
			-- in the request, so there is nothing to check yet.
			if allowed and v ~= false and not allowed[v] then
				return false, ("allowed-values: tag %q must be one of " ..
				    "%s, not %q"):format(k, list(allowed), v)
			end
		end
		return nil
	end,
}
