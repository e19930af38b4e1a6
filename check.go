package capillary

// CheckUpdate checks the arguments of an update as CustomersAPI.Update does before it sends
// anything, and returns the same *ValidationError, or nil when they are fine. It needs no
// Client and does no I/O: it is for checking many updates offline, such as the rows of a bulk
// dry run.
func CheckUpdate(userID string, body *UpdateCustomerRequest, params *UpdateCustomerParams) error {
	if problems := validateUpdate(userID, body, params); len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}
