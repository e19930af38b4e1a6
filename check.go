package capillary

// CheckUpdate checks the arguments of an update as CustomersAPI.Update does before it sends
// anything, the encoding of the body included, and returns the same *ValidationError, or nil
// when they are fine. It needs no Client and does no I/O: it is for checking many updates
// offline, such as the rows of a bulk dry run.
func CheckUpdate(userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	return check(validateUpdate(userID, body, params), body)
}

// CheckUpdateByIdentifier is CheckUpdate for CustomersAPI.UpdateByIdentifier.
func CheckUpdateByIdentifier(id Identifier, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	return check(validateUpdateByIdentifier(id, body, params), body)
}

// check ends a check as Client.do does: the problems found, or those of encoding the body.
func check(problems []FieldError, body *UpdateCustomerRequest) error {
	if len(problems) == 0 && body != nil {
		if _, err := encodeBody(body); err != nil {
			problems = bodyProblems(err)
		}
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}
