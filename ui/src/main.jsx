import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get, session, whenUnauthorized } from "./api.js";
import { Shell } from "./components/Shell.jsx";
import { parseRoute, go } from "./route.js";
import { SignIn } from "./pages/SignIn.jsx";
import { AssetsPage } from "./pages/Assets.jsx";
import { AssetPage } from "./pages/Asset.jsx";
import { ProposalsPage, ProposalPage } from "./pages/Proposals.jsx";
import { ConfigurationPage } from "./pages/Configuration.jsx";
import "./style.css";

function App() {
  const [route, setRoute] = useState(parseRoute());
  const [me, setMe] = useState(null);
  const [signedOutBecause, setSignedOutBecause] = useState("");
  const [checking, setChecking] = useState(Boolean(session.key()));

  useEffect(() => {
    const onHash = () => setRoute(parseRoute());
    window.addEventListener("hashchange", onHash);
    whenUnauthorized(() => {
      session.clear();
      setMe(null);
      setSignedOutBecause("Your API key was not accepted any more (it may have been revoked or have expired). Sign in again.");
      go("/sign-in");
    });
    if (session.key()) {
      get("/api/v1/me").then(setMe).catch(() => {}).finally(() => setChecking(false));
    }
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  if (checking) return <p class="loading" role="status">Loading…</p>;
  if (!me || route.page === "sign-in") {
    return <SignIn reason={signedOutBecause} onSignedIn={(who) => {
      setSignedOutBecause("");
      setMe(who);
      go(route.page === "sign-in" || !route.page ? "/assets" : route.path);
    }} />;
  }
  const signOut = () => { session.clear(); setMe(null); setSignedOutBecause("You signed out."); go("/sign-in"); };
  return (
    <Shell me={me} route={route} onSignOut={signOut}>
      {page(route, me)}
    </Shell>
  );
}

function page(route, me) {
  switch (route.page) {
    case "asset": return <AssetPage key={route.id} id={route.id} tab={route.tab} me={me} />;
    case "proposals": return <ProposalsPage me={me} />;
    case "proposal": return <ProposalPage key={route.id} id={route.id} me={me} />;
    case "configuration": return <ConfigurationPage me={me} projectId={route.id} />;
    default: return <AssetsPage />;
  }
}

render(<App />, document.getElementById("app"));
