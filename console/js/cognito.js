// Signs an operator in to the console's Cognito user pool (on AWS): the password, then the code of their
// authenticator app, as the pool requires. The access token it returns is what the API takes as the operator.
const TARGET = "AWSCognitoIdentityProviderService.";

async function call(cognito, action, body) {
  const endpoint = cognito.endpoint || `https://cognito-idp.${cognito.region}.amazonaws.com/`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + action },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || data.__type || response.statusText);
  return data;
}

export async function signInWithPassword(cognito, username, password, askForCode) {
  let answer = await call(cognito, "InitiateAuth", {
    ClientId: cognito.clientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") {
    answer = await call(cognito, "RespondToAuthChallenge", {
      ClientId: cognito.clientId,
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: answer.Session,
      ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: await askForCode() },
    });
  }
  // A first sign-in (new password, authenticator setup) is finished with the AWS CLI, as the README says.
  if (!answer.AuthenticationResult) throw new Error(answer.ChallengeName || "sign-in incomplete");
  return answer.AuthenticationResult.AccessToken;
}
