import LensModels
import LensTensor

/// Guided Grad-CAM (Selvaraju et al. 2017): the guided-backprop map times the upsampled Grad-CAM
/// map, broadcast over the input's channels: fine detail, restricted to the class's regions.
/// Both come from one forward pass per batch (`GradCAM.run`).
struct GuidedGradCAM: Attributor {
    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult {
        let layer = try GradCAM.layer(of: network, named: settings.layer, method: .guidedGradcam)
        let run = try GradCAM.run(&network, inputs: inputs, targets: targets, layer: layer, guided: true, settings: settings,
                                  progress: context.progress)
        var maps = run.guided ?? Tensor(shape: inputs.shape)
        let upsampled = GradCAM.upsampled(run.coarse, like: inputs)
        for i in maps.scalars.indices { maps.scalars[i] *= upsampled.scalars[i] }
        return AttributionResult(method: .guidedGradcam, maps: maps, targets: targets, logits: run.logits,
                                 settings: ["layer": layer], auxiliary: ["gradcam": run.coarse])
    }
}
