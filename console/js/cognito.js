// Signs an operator in to the console's Cognito user pool (on AWS) and returns the access token the API takes as
// the operator. Each challenge the pool sets is answered in turn, asking the operator through `ask(step, details)`:
// - "new_password": the first sign-in with the temporary password the platform gave (NEW_PASSWORD_REQUIRED);
// - "mfa_setup": the pool requires an authenticator and the account has none yet (MFA_SETUP): the app's secret is
//   shown (details.secret, details.uri for a QR code) and the app's first code confirms it (VerifySoftwareToken);
// - "mfa_code": the code of the authenticator app (SOFTWARE_TOKEN_MFA).
const TARGET = "AWSCognitoIdentityProviderService.";
const ISSUER = "faka";

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

// The otpauth:// address authenticator apps read (as a QR code or pasted).
export function authenticatorUri(username, secret) {
  return `otpauth://totp/${encodeURIComponent(`${ISSUER}:${username}`)}?secret=${encodeURIComponent(secret)}&issuer=${ISSUER}`;
}

export async function signInWithPassword(cognito, username, password, ask) {
  const respond = (challenge, session, responses) =>
    call(cognito, "RespondToAuthChallenge", {
      ClientId: cognito.clientId,
      ChallengeName: challenge,
      Session: session,
      ChallengeResponses: { USERNAME: username, ...responses },
    });
  let answer = await call(cognito, "InitiateAuth", {
    ClientId: cognito.clientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  let setUp = false;
  // Each answer is either the tokens or the next challenge; a pool sets three at most on a first sign-in.
  for (let step = 0; step < 4 && !answer.AuthenticationResult; step += 1) {
    const { ChallengeName: challenge, Session: session } = answer;
    if (challenge === "NEW_PASSWORD_REQUIRED") {
      answer = await respond(challenge, session, { NEW_PASSWORD: await ask("new_password") });
    } else if (challenge === "MFA_SETUP") {
      const token = await call(cognito, "AssociateSoftwareToken", { Session: session });
      const code = await ask("mfa_setup", { secret: token.SecretCode, uri: authenticatorUri(username, token.SecretCode) });
      const verified = await call(cognito, "VerifySoftwareToken", { Session: token.Session, UserCode: code, FriendlyDeviceName: "faka console" });
      answer = await respond(challenge, verified.Session, {});
      setUp = true;
    } else if (challenge === "SOFTWARE_TOKEN_MFA") {
      answer = await respond(challenge, session, { SOFTWARE_TOKEN_MFA_CODE: await ask("mfa_code") });
    } else {
      throw new Error(challenge || "sign-in incomplete");
    }
  }
  if (!answer.AuthenticationResult) throw new Error(answer.ChallengeName || "sign-in incomplete");
  const accessToken = answer.AuthenticationResult.AccessToken;
  if (setUp) {
    // From now on the pool asks this account for its authenticator's code at every sign-in.
    await call(cognito, "SetUserMFAPreference", { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
  }
  return accessToken;
}
