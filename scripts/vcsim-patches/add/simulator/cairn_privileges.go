/*
cairn's addition to govmomi's vCenter simulator for privileges, built into vcsim by cairn's
scripts/vcsim (hooked in by scripts/vcsim-patches/privileges.patch). Not part of govmomi.

Upstream's HasPrivilegeOnEntity says every privilege is held. With this addition it answers from the
roles and permissions (AddAuthorizationRole, SetEntityPermissions; govc role.create,
permissions.set) for the user of the session asked about, as vCenter does: the user's permission on
the entity itself, else the nearest one on an ancestor that propagates; the privileges of its role
plus the System.* ones every role has. A user who has no permission anywhere keeps the upstream
answer (every privilege), so that vcsim's any-user login stays an administrator unless a test gives
that user a role. Group permissions are not resolved (vcsim has no group membership).
*/

package simulator

import (
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func (m *AuthorizationManager) cairnPrivileges(ctx *Context, req *types.HasPrivilegeOnEntity, answer []bool) {
	user := ""
	if ctx.Session != nil && ctx.Session.Key == req.SessionId {
		user = ctx.Session.UserName
	} else if s, ok := Map.SessionManager().getSession(req.SessionId); ok {
		user = s.UserName
	}
	if user == "" || !m.cairnHasAny(user) {
		return
	}
	var role *int32
	ref := req.Entity
	for depth := 0; depth < 64 && role == nil; depth++ {
		for _, p := range m.permissions[ref] {
			if !p.Group && p.Principal == user && (depth == 0 || p.Propagate) {
				id := p.RoleId
				role = &id
				break
			}
		}
		e, ok := Map.Get(ref).(mo.Entity)
		if !ok || e.Entity().Parent == nil {
			break
		}
		ref = *e.Entity().Parent
	}
	held := make(map[string]bool)
	for _, id := range m.system {
		held[id] = true
	}
	if role != nil {
		for _, r := range m.RoleList {
			if r.RoleId == *role {
				for _, id := range r.Privilege {
					held[id] = true
				}
			}
		}
	}
	for i, id := range req.PrivId {
		answer[i] = held[id]
	}
}

// cairnHasAny: whether the user has a permission on any entity.
func (m *AuthorizationManager) cairnHasAny(user string) bool {
	for _, set := range m.permissions {
		for _, p := range set {
			if !p.Group && p.Principal == user {
				return true
			}
		}
	}
	return false
}
