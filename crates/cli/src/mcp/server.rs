//! The rmcp glue: the tool router, the `sources` resource, and each tool run on a blocking
//! thread with the shared cache.

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource, ResourceContents,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt, tool, tool_handler, tool_router};

use super::cache::Cache;
use super::params::{
    CaptureQuery, DiffQuery, ExplainQuery, InspectQuery, KernelsQuery, LayersQuery, StageQuery,
};
use super::relay::Relay;
use super::tools::{self, Answer, Table};

/// The URI of the `sources` resource.
const SOURCES: &str = "tracetriage://sources";

/// The server: the cache and the relay, shared by the tool calls.
#[derive(Clone)]
pub struct Server {
    cache: Arc<Mutex<Cache>>,
    relay: Option<Relay>,
    tool_router: ToolRouter<Server>,
}

/// Serves stdio until the client closes it.
pub async fn serve(relay: Option<Relay>) -> anyhow::Result<()> {
    let server = Server { cache: Arc::default(), relay, tool_router: Server::tool_router() };
    let running = server.serve(rmcp::transport::stdio()).await?;
    running.waiting().await?;
    Ok(())
}

impl Server {
    /// Runs `work` on a blocking thread with the cache; its error (or a panic) becomes a
    /// tool error result.
    async fn run(
        &self,
        work: impl FnOnce(&mut Cache, Option<&Relay>) -> Result<Answer, String> + Send + 'static,
    ) -> Result<CallToolResult, ErrorData> {
        let cache = Arc::clone(&self.cache);
        let relay = self.relay.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut cache, relay.as_ref())
        })
        .await;
        Ok(match joined {
            Ok(Ok(answer)) => {
                let mut result = CallToolResult::success(vec![ContentBlock::text(answer.text)]);
                result.structured_content = Some(answer.structured);
                result
            }
            Ok(Err(message)) => CallToolResult::error(vec![ContentBlock::text(message)]),
            Err(_) => CallToolResult::error(vec![ContentBlock::text(
                "internal error in tracetriage while answering (a bug; please report it with the trace's \
                 inspect output); the server is still running",
            )]),
        })
    }
}

#[tool_router(router = tool_router)]
impl Server {
    /// The triage overview.
    #[tool(description = "Triage PyTorch-profiler (Kineto) traces of an LLM inference server: per stage \
        (prefill, decode…) the verdict, the fix-first list and the top rows of the kernel, overlap and \
        fuse tables in brief (3 per table; `limit` for more). Every row has a `row_id` to cite and pass to \
        `kernels` (id) or `explain`. Same options as `tracetriage triage`.")]
    async fn triage(&self, Parameters(q): Parameters<StageQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::triage(c, &q)).await
    }

    /// What is in trace files.
    #[tool(description = "What is in trace files: event counts, GPU, rank, time span, streams, threads, \
        diagnostics (truncation, damage). `kernels: true` adds GPU time per kernel category.")]
    async fn inspect(&self, Parameters(q): Parameters<InspectQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| super::other::inspect(c, &q)).await
    }

    /// The kernel table.
    #[tool(description = "The kernel table of a stage (or every stage): canonical kernel name, category, \
        GPU time, share, launches, Python sites, roofline figures. Filters: `stage`, `category`, `name` \
        (substring), `id` (a row_id); `limit` rows (default 5), `min_share` cutoff.")]
    async fn kernels(&self, Parameters(q): Parameters<KernelsQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::kernels(c, &q)).await
    }

    /// Verdict and fix-first list.
    #[tool(description = "Per stage: what bounds it (verdict), its GPU time by category, and the fix-first \
        findings (largest estimated saving first, each with its model), plus the trace's health (what \
        limits the evidence and how to record a better trace).")]
    async fn verdict(&self, Parameters(q): Parameters<StageQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::verdict(c, &q)).await
    }

    /// The overlap table.
    #[tool(description = "Per stage: the overlap-opportunity table (exposed and recoverable time of each \
        kernel family on the GPU's critical path, what to try) and the idle gaps by cause.")]
    async fn overlap(&self, Parameters(q): Parameters<StageQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::table(c, &q, Table::Overlap)).await
    }

    /// The fuse table.
    #[tool(description = "Per stage: the fuse patterns found (split kernels a fused path would replace, \
        whether the fused path ran) and the closest pattern that did not match.")]
    async fn fuse(&self, Parameters(q): Parameters<StageQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::table(c, &q, Table::Fuse)).await
    }

    /// The roofline view.
    #[tool(description = "Per stage: kernels ranked by the GPU time they would save at the achievable \
        roof (FLOPs and bytes from recorded shapes), with the share of GPU time that has a figure and why \
        the rest has none.")]
    async fn roofline(&self, Parameters(q): Parameters<StageQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::table(c, &q, Table::Roofline)).await
    }

    /// Forward passes and layers.
    #[tool(description = "Forward passes and layers of one trace: per-pass summary, one pass's layers \
        (`pass`), one layer's kernels (`layer`), two layers compared (`compare_layer`). Lists cut to `limit`.")]
    async fn layers(&self, Parameters(q): Parameters<LayersQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| super::other::layers(c, &q)).await
    }

    /// Two runs compared.
    #[tool(description = "Compare two runs (`a` baseline, `b`; trace files, profile folders or report \
        JSON files): per stage the summary, categories, families and kernels side by side with time and \
        share changes, kernels only in A or only in B (`limit` rows per table, default 3).")]
    async fn diff(&self, Parameters(q): Parameters<DiffQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| super::other::diff(c, &q)).await
    }

    /// One row by its id.
    #[tool(description = "Explain one row by its `row_id` (from any earlier answer on the same traces): \
        the row, its stage's verdict and summary, and the rows of other tables about the same kernel, \
        pattern or finding.")]
    async fn explain(&self, Parameters(q): Parameters<ExplainQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |c, _| tools::explain(c, &q)).await
    }

    /// A live capture through the relay.
    #[tool(description = "Capture a trace of a running inference server through a running \
        `tracetriage-relay serve` (configured with `tracetriage mcp --relay URL --relay-token T`): \
        `url` starts one, `job` reports on one (`wait_s` to wait for it).")]
    async fn capture(&self, Parameters(q): Parameters<CaptureQuery>) -> Result<CallToolResult, ErrorData> {
        self.run(move |_, relay| super::relay::capture(relay, &q)).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_resources().build())
            .with_server_info(Implementation::new("tracetriage", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Triage PyTorch-profiler traces of LLM inference servers. Start with `triage` on a trace \
                 file or profile folder; cite rows by `row_id` and drill in with `kernels`, `explain`, \
                 `overlap`, `fuse`, `roofline`. Traces stay loaded: later calls on them are fast.",
            )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut sources = Resource::new(SOURCES, "sources");
        sources.description =
            Some("The traces this server has loaded (path, size, load time, reuse).".to_owned());
        sources.mime_type = Some("application/json".to_owned());
        Ok(ListResourcesResult::with_all_items(vec![sources]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != SOURCES {
            return Err(ErrorData::resource_not_found(
                format!("no resource {}; try {SOURCES}", request.uri),
                None,
            ));
        }
        let json = self.cache.lock().unwrap_or_else(PoisonError::into_inner).sources_json().to_string();
        let contents = ResourceContents::text(json, SOURCES).with_mime_type("application/json");
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}
