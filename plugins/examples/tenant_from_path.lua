-- tenant_from_path: a user's tenant is the NAME of its IAM path
-- /tenants/NAME/... . corp:Tenant (String) gives it to conditions, and the
-- check derives aws:PrincipalTag/tenant from it when the principal has no
-- tenant tag, so that ABAC policies written against tags work for callers
-- that were never tagged.

local function tenant(principal)
	return principal:match("^arn:aws:iam::%d+:user/tenants/([%w_+=,.@-]+)/")
end

return {
	keys = {
		["corp:Tenant"] = function(req)
			return tenant(req.principal)
		end,
	},
	check = function(req)
		if req:principal_tag("tenant") == nil then
			local t = tenant(req.principal)
			if t then
				req:set("aws:PrincipalTag/tenant", t)
			end
		end
	end,
}
