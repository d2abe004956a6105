from notify_devstack.package import SERVICES, package


def test_each_service_packages_with_shared_code_and_pinned_requirements(tmp_path):
    for service in SERVICES:
        out = package(service, tmp_path / service)

        requirements = (out / "requirements.txt").read_text().splitlines()
        pinned = [line for line in requirements if line and not line.startswith(("#", "./"))]
        assert pinned and all("==" in line for line in pinned), requirements
        assert any(line.startswith("kombu==") for line in pinned)
        assert "./shared" in requirements and "./service" in requirements
        assert (out / "shared" / "notify_shared" / "models.py").exists()
        assert (out / "service" / "pyproject.toml").exists()
        assert not (out / "service" / "tests").exists()
