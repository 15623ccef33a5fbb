/**
 * The console's login form: a plain HTML form (no script) posting the admin token to
 * `/login`, which answers with the HttpOnly session cookie (docs/CONSOLE.md "Security model").
 */
export function loginPage(failed: boolean): string {
  const error = failed
    ? '<p class="login-error" role="alert">That token is not the admin token. Try again.</p>'
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Sign in · Gatehouse console</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<main class="login">
<h1>Gatehouse console</h1>
<p>This admin listener requires the admin token (<code>gateway.admin.token</code>).</p>
${error}
<form method="post" action="/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
