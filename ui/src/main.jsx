import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get, session, whenUnauthorized } from "./api.js";
import { Shell } from "./components/Shell.jsx";
import { Loading } from "./components/common.jsx";
import { parseRoute, go } from "./route.js";
import { SignIn } from "./pages/SignIn.jsx";
import { AssetsPage } from "./pages/Assets.jsx";
import { AssetPage } from "./pages/Asset.jsx";
import { ProposalsPage, ProposalPage } from "./pages/Proposals.jsx";
import { ConfigurationPage } from "./pages/Configuration.jsx";
import "./style.css";

function App() {
  const [route, setRoute] = useState(parseRoute());
  const [signedIn, setSignedIn] = useState(Boolean(session.key()));
  const [me, setMe] = useState(null); // who the key is: GET /api/v1/me
  const [signedOutBecause, setSignedOutBecause] = useState("");

  useEffect(() => {
    const onHash = () => setRoute(parseRoute());
    window.addEventListener("hashchange", onHash);
    whenUnauthorized(() => {
      session.clear();
      setSignedIn(false);
      setMe(null);
      setSignedOutBecause("Your API key was not accepted any more (it may have been revoked or have expired). Sign in again.");
      go("/sign-in");
    });
    // With a key already in this tab, the page's own calls start at once, beside this one.
    if (session.key()) get("/api/v1/me").then(setMe).catch(() => {});
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  if (!signedIn || route.page === "sign-in") {
    return <SignIn reason={signedOutBecause} onSignedIn={(who) => {
      setSignedOutBecause("");
      setMe(who);
      setSignedIn(true);
      go(route.page === "sign-in" || !route.page ? "/assets" : route.path);
    }} />;
  }
  const signOut = () => { session.clear(); setSignedIn(false); setMe(null); setSignedOutBecause("You signed out."); go("/sign-in"); };
  return (
    <Shell me={me} route={route} onSignOut={signOut}>
      {page(route, me)}
    </Shell>
  );
}

function page(route, me) {
  switch (route.page) {
    case "asset": return <AssetPage key={route.id} id={route.id} tab={route.tab} me={me} />;
    case "proposals": return me ? <ProposalsPage me={me} /> : <Loading what="who you are" />;
    case "proposal": return me ? <ProposalPage key={route.id} id={route.id} me={me} /> : <Loading what="who you are" />;
    case "configuration": return me ? <ConfigurationPage me={me} projectId={route.id} /> : <Loading what="who you are" />;
    default: return <AssetsPage />;
  }
}

render(<App />, document.getElementById("app"));
