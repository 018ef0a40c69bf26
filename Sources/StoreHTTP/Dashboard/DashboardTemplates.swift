/// The dashboard's pages as Mustache templates (swift-mustache), kept in the binary: no files to
/// find at run time, no CDN, no script. `{{…}}` escapes HTML; the one `{{{…}}}` is the layout's
/// `body`, a page these templates rendered (and escaped) first.
enum DashboardTemplates {
    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · snapdepot</title>
        <style>
        body { font: 16px/1.45 "DejaVu Sans", sans-serif; margin: 0; color: #1d1d1d; background: #fafafa; }
        header { background: #2c001e; color: #fff; padding: .6rem 1.5rem; display: flex; gap: 1.5rem; align-items: baseline; flex-wrap: wrap; }
        header a { color: #fff; text-decoration: none; } header strong { font-size: 1.25rem; margin-right: 1rem; }
        main { padding: 1rem 1.5rem 3rem; max-width: 72rem; }
        h1 { font-size: 1.6rem; margin: .5rem 0 1rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
        th { background: #eee; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .cards { display: flex; gap: 1rem; flex-wrap: wrap; } .card { background: #fff; border: 1px solid #ddd; padding: .8rem 1.2rem; min-width: 9rem; }
        .card b { display: block; font-size: 2rem; } .muted { color: #666; } .halted { color: #b00; font-weight: bold; }
        code { font-size: .85rem; } pre { background: #fff; border: 1px solid #ddd; padding: .6rem; overflow-x: auto; font-size: .8rem; }
        .verified { color: #0a6e31; font-weight: bold; } ol.timeline { padding-left: 1.2rem; } ol.timeline li { margin: .2rem 0; }
        form.search input, form.action input { font-size: 1rem; padding: .3rem; } form.inline { display: inline; }
        .notice { background: #fff3cd; border: 1px solid #e0c36a; padding: .6rem 1rem; } @media print { header { background: none; color: #000; } header a { color: #000; } }
        </style></head>
        <body><header><strong>snapdepot</strong>
        <a href="/">Overview</a><a href="/dashboard/snaps">Snaps</a><a href="/dashboard/devices">Devices</a><a href="/dashboard/rollouts">Rollouts</a><a href="/dashboard/models">Models</a><a href="/dashboard/faults">Faults</a>
        <span class="muted">store {{authority}}</span>
        {{#viewer}}<span id="viewer">signed in as {{viewer}}</span><form method="post" action="/dashboard/sign-out" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button>Sign out</button></form>{{/viewer}}
        {{^viewer}}<a id="sign-in" href="/dashboard/sign-in">Sign in</a>{{/viewer}}</header>
        <main>{{{body}}}</main></body></html>
        """

    static let overview = """
        <h1>Overview</h1>
        <div class="cards">
        <div class="card" id="snap-count"><b>{{snaps}}</b>snaps</div>
        <div class="card" id="device-count"><b>{{devices}}</b>devices</div>
        <div class="card" id="rollout-count"><b>{{rolloutCount}}</b>rollouts under way</div>
        </div>
        <h2>Rollouts under way</h2>
        {{#rollouts}}{{> rolloutTable}}{{/rollouts}}{{^rollouts}}<p class="muted">None.</p>{{/rollouts}}
        <h2>Latest releases</h2>
        <ol class="timeline" id="latest-releases">{{#releases}}<li><time>{{at}}</time> <a href="/dashboard/snaps/{{snap}}">{{snap}}</a>: {{what}}</li>{{/releases}}</ol>
        <h2>Devices per model</h2>
        <table id="models"><tr><th>Brand</th><th>Model</th><th>Devices</th></tr>
        {{#models}}<tr><td>{{brandID}}</td><td>{{model}}</td><td class="num">{{count}}</td></tr>{{/models}}</table>
        <h2>Revisions devices run</h2>
        <table id="installed"><tr><th>Snap</th><th>Revision</th><th>Devices</th></tr>
        {{#installed}}<tr><td><a href="/dashboard/snaps/{{snap}}">{{snap}}</a></td><td class="num">{{revision}}</td><td class="num">{{devices}}</td></tr>{{/installed}}</table>
        """

    static let rolloutTable = """
        <table class="rollouts"><tr><th>Snap</th><th>Channel</th><th>Revision</th><th>Share</th><th>Group</th><th>Tried</th><th>Failed</th><th>State</th></tr>
        {{#rows}}<tr><td><a href="/dashboard/snaps/{{snap}}">{{snap}}</a></td><td>{{channel}}</td><td class="num">{{revision}}</td><td class="num">{{percentage}} %</td><td>{{group}}</td><td class="num">{{attempts}}</td><td class="num">{{failures}}</td><td class="{{stateClass}}">{{state}}</td></tr>{{/rows}}
        </table>
        """

    static let rollouts = """
        <h1>Rollouts</h1>
        {{#rollouts}}{{> rolloutTable}}{{/rollouts}}{{^rollouts}}<p class="muted">No rollout is under way.</p>{{/rollouts}}
        """

    static let snaps = """
        <h1>Snaps</h1>
        <form class="search" method="get" action="/dashboard/snaps"><input name="q" value="{{query}}" placeholder="name, publisher or type" aria-label="Search snaps"> <button>Search</button></form>
        <p class="muted">{{count}} {{#query}}matching “{{query}}”{{/query}}</p>
        <table id="snaps"><tr><th>Name</th><th>Publisher</th><th>Type</th><th>Version</th><th>Revisions</th><th>Summary</th></tr>
        {{#rows}}<tr><td><a href="/dashboard/snaps/{{name}}">{{name}}</a></td><td>{{publisher}}</td><td>{{type}}</td><td>{{version}}</td><td class="num">{{revisions}}</td><td>{{summary}}</td></tr>{{/rows}}
        </table>
        """

    static let snap = """
        <h1>{{name}}</h1>
        <p id="summary">{{summary}}</p>
        <p class="muted">published by {{publisher}} · snap-id <code>{{snapID}}</code> · default track {{defaultTrack}}</p>
        <h2>Channels</h2>
        <table id="channels"><tr><th>Track</th><th>Risk</th><th>Architecture</th><th>Revision</th><th>Version</th><th>Rollout</th></tr>
        {{#channels}}<tr><td>{{track}}</td><td>{{risk}}</td><td>{{architecture}}</td><td class="num">{{revision}}</td><td>{{version}}</td><td>{{rollout}}</td></tr>{{/channels}}
        </table>
        <p class="muted">↑ follows the next safer risk, as snapcraft shows it; – is closed.</p>
        <h2>Devices and rollouts, live</h2>
        <section id="live" data-url="/dashboard/snaps/{{name}}/live.json" data-samples="0">
        <svg id="live-chart" width="600" height="180" viewBox="0 0 600 180" role="img" aria-label="devices per revision and rollout shares since this page opened" style="background:#fff;border:1px solid #ddd"></svg>
        <p>Now: <span id="live-now">waiting for the store…</span></p>
        <p class="muted">When this page opened: <span id="live-first"></span></p>
        </section>
        <script src="/dashboard/live.js"></script>
        <h2>Revisions</h2>
        <table id="revisions"><tr><th>Revision</th><th>Version</th><th>Architectures</th><th>Size</th><th>SHA3-384</th><th>Uploaded</th></tr>
        {{#revisions}}<tr><td class="num">{{revision}}</td><td>{{version}}</td><td>{{architectures}}</td><td class="num">{{size}}</td><td><code title="{{digest}}">{{shortDigest}}…</code></td><td>{{created}}</td></tr>{{/revisions}}
        </table>
        {{#actions}}
        <h2>Release</h2>
        <form class="action" id="release" method="post" action="/dashboard/snaps/{{name}}/releases">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Revision <input name="revision" required size="5"></label>
        <label>Channel <input name="channel" value="stable" size="14"></label>
        <label>To % of devices <input name="progressive" placeholder="100" size="4"></label>
        <button>Release</button></form>
        {{#rollouts}}
        <form class="action rollout" method="post" action="/dashboard/snaps/{{name}}/rollouts">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="channel" value="{{channel}}">
        Rollout of r{{revision}} in {{channel}}: <button name="action" value="pause">Pause</button>
        <button name="action" value="resume">Resume</button>
        <button name="action" value="complete">Complete</button> <button name="action" value="abort">Abort</button></form>
        {{/rollouts}}
        {{/actions}}
        <h2>Release history</h2>
        <ol class="timeline" id="history">{{#history}}<li><time>{{at}}</time> {{what}}</li>{{/history}}</ol>
        """

    static let models = """
        <h1>Brands and models</h1>
        <p class="muted">Each model assertion the store holds, checked as a device checks it: its signature, its
        brand's key, and that key's registration by the store's root.</p>
        {{#rows}}
        <section class="model" id="model-{{brandID}}-{{model}}">
        <h2>{{brandID}} / {{model}} <span class="muted">({{architecture}})</span></h2>
        {{#problem}}<p class="halted">Does not verify: {{problem}}</p>{{/problem}}
        {{^problem}}<p class="verified">Verifies through:</p>{{/problem}}
        <ol class="chain">{{#chain}}<li>{{.}}</li>{{/chain}}</ol>
        <pre>{{text}}</pre>
        </section>
        {{/rows}}
        {{^rows}}<p class="muted">The store holds no model yet (<code>snapdepot model sign</code>, then the admin API).</p>{{/rows}}
        """

    static let faults = """
        <h1>Faults in force</h1>
        <p class="muted">Injected on purpose to rehearse a bad network or a bad store (docs/rollouts.md).</p>
        <table id="faults"><tr><th>Id</th><th>Kind</th><th>Endpoint</th><th>Snap</th><th>Revision</th><th>Devices</th><th>Chance</th><th>Times</th><th>Fired</th>{{#actions}}<th></th>{{/actions}}</tr>
        {{#rows}}<tr><td class="num">{{id}}</td><td>{{kind}}</td><td>{{endpoint}}</td><td>{{snap}}</td><td>{{revision}}</td><td>{{devices}}</td><td>{{chance}}</td><td>{{times}}</td><td class="num">{{fired}}</td>
        {{#csrf}}<td><form class="inline" method="post" action="/dashboard/faults/clear"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button>Clear</button></form></td>{{/csrf}}</tr>{{/rows}}
        </table>
        {{^rows}}<p class="muted">None: devices get what the store would answer.</p>{{/rows}}
        {{#actions}}
        <h2>Add a fault</h2>
        <form class="action" id="add-fault" method="post" action="/dashboard/faults">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Kind <select name="kind">{{#kinds}}<option>{{.}}</option>{{/kinds}}</select></label>
        <label>Endpoint <select name="endpoint">{{#endpoints}}<option>{{.}}</option>{{/endpoints}}</select></label>
        <label>Snap <input name="snap" size="14"></label> <label>Revision <input name="revision" size="4"></label>
        <label>Devices % <input name="device-percent" size="4"></label> <label>Chance % <input name="chance" size="4"></label>
        <label>Times <input name="times" size="4"></label> <label>Status <input name="status" size="4" placeholder="503"></label>
        <label>Delay ms <input name="delay-ms" size="6"></label>
        <button>Add</button></form>
        {{/actions}}
        """

    static let signIn = """
        <h1>Sign in</h1>
        <p>Enter the admin token, or a publisher's token (`snapdepot accounts token NAME`). The page
        keeps it in this server's memory for twelve hours, behind a cookie scripts cannot read.</p>
        {{#problem}}<p class="notice" id="problem">{{problem}}</p>{{/problem}}
        <form class="action" method="post" action="/dashboard/sign-in">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Token <input name="token" type="password" autocomplete="off" required size="50"></label>
        <button>Sign in</button></form>
        """

    static let problem = """
        <h1>{{heading}}</h1>
        <p class="notice" id="problem">{{message}}</p>
        <p><a href="{{back}}">Back</a></p>
        """

    static let devices = """
        <h1>Devices</h1>
        <form class="search" method="get" action="/dashboard/devices"><input name="model" value="{{model}}" placeholder="model" aria-label="Model"> <input name="tag" value="{{tag}}" placeholder="tag" aria-label="Tag"> <input name="snap" value="{{snap}}" placeholder="snap" aria-label="Snap"> <input name="revision" value="{{revision}}" placeholder="revision" size="6" aria-label="Revision">
        <select name="state" aria-label="State">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select> <button>Filter</button></form>
        <p class="muted" id="device-range">{{range}}</p>
        <table id="devices"><tr><th>Brand</th><th>Model</th><th>Serial</th><th>Tags</th><th>Runs</th><th>Last failure</th><th>Registered</th><th>Last seen</th></tr>
        {{#rows}}<tr><td>{{brandID}}</td><td>{{model}}</td><td>{{serial}}</td><td>{{tags}}</td><td>{{installed}}</td><td class="halted">{{failure}}</td><td>{{registered}}</td><td>{{lastSeen}}</td></tr>{{/rows}}
        </table>
        <p>{{#previous}}<a rel="prev" href="{{previous}}">← newer</a> {{/previous}}{{#next}}<a rel="next" href="{{next}}">older →</a>{{/next}}</p>
        {{#csrf}}
        <h2>Tag devices</h2>
        <form class="action" id="tag-devices" method="post" action="/dashboard/devices/tags">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Serials <input name="serials" size="30" placeholder="A1000, A1001"></label>
        <label>Add tag <input name="add" size="12"></label> <label>Remove tag <input name="remove" size="12"></label>
        <button>Tag</button></form>
        {{/csrf}}
        """
}
