package lifecycle

// NewCommand returns an empty command of the given name, ready to be
// decoded from a request body. create is not included: it has no session.
func NewCommand(name string) (Command, bool) {
	if c, ok := NewStatusCommand(name); ok {
		return c, true
	}
	if c, ok := NewParticipantChange(name); ok {
		return c, true
	}
	switch name {
	case "start":
		return new(Start), true
	case "select-menu":
		return new(SelectMenu), true
	case "enqueue":
		return new(Enqueue), true
	case "requeue":
		return new(Requeue), true
	case "assign":
		return new(Assign), true
	case "va-assign":
		return new(VAAssign), true
	case "preview":
		return new(Preview), true
	case "hold":
		return new(Hold), true
	case "resume":
		return new(Resume), true
	case "transfer":
		return new(Transfer), true
	case "transfer-complete":
		return new(TransferComplete), true
	case "transfer-fail":
		return new(TransferFail), true
	case "add-participant":
		return new(AddParticipant), true
	case "deflect":
		return new(Deflect), true
	case "voicemail":
		return new(Voicemail), true
	case "voicemail-received":
		return new(VoicemailReceived), true
	case "fail":
		return new(Fail), true
	case "end":
		return new(End), true
	case "wrap-up":
		return new(WrapUp), true
	case "rate":
		return new(Rate), true
	case "record-event":
		return new(RecordEvent), true
	case "tag":
		return new(Tag), true
	case "message":
		return new(Message), true
	case "recall":
		return new(Recall), true
	case "invite-rating":
		return new(InviteRating), true
	case "update-profile":
		return new(UpdateProfile), true
	}
	return nil, false
}
