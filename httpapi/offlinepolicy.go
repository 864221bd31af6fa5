package httpapi

import (
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// offlineMay decides whether p may apply patch to offline message m. An
// agent takes unassigned messages for itself and changes only the messages
// assigned to it, which it may also hand back (assignee 0); supervisors,
// integrations and administrators may change every message.
func offlineMay(p Principal, m sb.OfflineMessage, patch OfflineMessagePatch) error {
	switch p.Role {
	case sb.RoleAdmin, sb.RoleSupervisor, sb.RoleIntegration:
		return nil
	case sb.RoleAgent:
	default:
		return sb.Errorf(sb.EFORBIDDEN, "the %s role may not change offline messages", p.Role)
	}
	me := p.AgentID
	if me == 0 {
		return sb.Errorf(sb.EFORBIDDEN, "this login acts for no agent")
	}
	if m.AssigneeID != 0 && m.AssigneeID != me {
		return sb.Errorf(sb.EFORBIDDEN, "offline message %d is assigned to agent %d", m.ID, m.AssigneeID)
	}
	if a := patch.AssigneeID; a != nil && *a != 0 && *a != me {
		return sb.Errorf(sb.EFORBIDDEN, "an agent may assign offline messages only to itself (agent %d)", me)
	}
	if m.AssigneeID == 0 && (patch.AssigneeID == nil || *patch.AssigneeID != me) {
		return sb.Errorf(sb.EFORBIDDEN, "offline message %d is unassigned; assign it to yourself to change it", m.ID)
	}
	return nil
}

// offlineStep reports whether an offline message may go from one status
// to another: one step along unprocessed, processing, processed, either way.
func offlineStep(from, to string) bool {
	order := map[string]int{sb.OfflineUnprocessed: 0, sb.OfflineProcessing: 1, sb.OfflineProcessed: 2}
	a, okA := order[from]
	b, okB := order[to]
	return okA && okB && (a-b == 1 || b-a == 1)
}

// applyOfflinePatch checks patch and applies it to m: first its values,
// then whether p may make it, then the message's state. On error m may be
// partly changed and must be discarded. A patch that changes nothing
// leaves UpdatedAt as it was.
func applyOfflinePatch(p Principal, m *sb.OfflineMessage, patch OfflineMessagePatch, now time.Time, agentExists func(int64) bool) error {
	if patch.Status != nil {
		if err := validate.OneOf("status", *patch.Status, true, sb.OfflineUnprocessed, sb.OfflineProcessing, sb.OfflineProcessed); err != nil {
			return err
		}
	}
	if patch.Note != nil {
		if err := validate.Text("note", *patch.Note, MaxOfflineNote, false); err != nil {
			return err
		}
	}
	if patch.AssigneeID != nil && *patch.AssigneeID < 0 {
		return sb.Errorf(sb.EINVALID, "assignee_id must be an agent ID, or 0 to unassign")
	}
	if err := offlineMay(p, *m, patch); err != nil {
		return err
	}
	changed := false
	if a := patch.AssigneeID; a != nil && *a != m.AssigneeID {
		if *a != 0 && !agentExists(*a) {
			return sb.Errorf(sb.EINVALID, "assignee_id: agent %d not found", *a)
		}
		m.AssigneeID, changed = *a, true
	}
	if st := patch.Status; st != nil && *st != m.Status {
		if !offlineStep(m.Status, *st) {
			e := sb.Errorf(sb.ECONFLICT, "offline message %d is %s; it moves one step at a time between unprocessed, processing and processed", m.ID, m.Status)
			e.Detail = map[string]any{"status": m.Status}
			return e
		}
		m.Status, changed = *st, true
		if *st == sb.OfflineProcessed {
			m.ProcessedAt = &now
		} else {
			m.ProcessedAt = nil
		}
	}
	if patch.Note != nil && *patch.Note != m.Note {
		m.Note, changed = *patch.Note, true
	}
	if changed {
		m.UpdatedAt = now
	}
	return nil
}
