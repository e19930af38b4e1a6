package capillary

// CheckUpdate checks the arguments of an update as CustomersAPI.Update does before it sends
// anything, and returns the same *ValidationError, or nil when they are fine. It needs no
// Client and does no I/O: it is for checking many updates offline, such as the rows of a bulk
// dry run.
//
// It does not encode the body, which is where Update finds invalid UTF-8 in its strings (and a
// value that JSON cannot carry, such as NaN): a body decoded from valid UTF-8 JSON, or built
// from strings checked with utf8.ValidString, has neither.
func CheckUpdate(userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	return checked(validateUpdate(userID, body, params))
}

// CheckUpdateByIdentifier is CheckUpdate for CustomersAPI.UpdateByIdentifier.
func CheckUpdateByIdentifier(id Identifier, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	return checked(validateUpdateByIdentifier(id, body, params))
}

func checked(problems []FieldError) error {
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// CheckCreate is CheckUpdate for CustomersAPI.Create.
func CheckCreate(body *CreateCustomerRequest, params *CreateCustomerParams) error {
	return checked(validateCreate(body, params))
}

// CheckUpsert is CheckUpdate for CustomersAPI.Upsert: the create's checks, and what its
// look-up needs.
func CheckUpsert(body *CreateCustomerRequest, params *CreateCustomerParams) error {
	return checked(validateUpsert(body, params))
}
